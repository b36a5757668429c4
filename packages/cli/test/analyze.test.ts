import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SightlineEventSchema, type SightlineEvent } from '@sightline/protocol';
import { writeTinyDetectorPackage } from '../../vision/src/detect/testing/index.js';
import { runCli } from './run-cli.js';

// A white 24×24 square crossing a black 320×240 frame left to right at 60 px/s for 4 s (10 fps).
const MOVING_SQUARE =
  'lavfi:color=c=black:s=320x240:r=10:d=4[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x=20+t*60:y=100:shortest=1[out0]';

let work: string;
let modelDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sightline-cli-'));
  modelDir = writeTinyDetectorPackage(join(work, 'tiny'), { inputSize: 256, stride: 16 }).dir;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function parseEvents(jsonl: string): SightlineEvent[] {
  return jsonl
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => SightlineEventSchema.parse(JSON.parse(l)));
}

describe('sightline analyze', () => {
  it('reports the object entering and leaving the whole-frame zone when there is no config', async () => {
    const r = await runCli(['analyze', MOVING_SQUARE, '--model', modelDir, '--camera-id', 'cam-a']);
    expect(r.code, r.stderr).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.map((e) => e.type)).toEqual(['zone.enter', 'zone.exit']);
    const [enter, exit] = events as [SightlineEvent, SightlineEvent];
    expect(enter.cameraId).toBe('cam-a');
    expect(enter.label).toBe('person');
    expect(exit.trackId).toBe(enter.trackId);
    expect(exit.type === 'zone.exit' && exit.dwell).toBeGreaterThan(3);
    expect(r.stderr).toMatch(/analysed 40 frames/);
  });

  it('counts a line crossing with its direction and writes JSONL and an annotated video', async () => {
    const config = join(work, 'line.yaml');
    // A vertical line at x = 0.5, drawn top to bottom: its "in" side is to the left, so moving right is "out".
    await writeFile(config, 'lines:\n  - id: gate\n    a: [0.5, 0.1]\n    b: [0.5, 0.9]\nzones:\n  - id: right-half\n    polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]]\n');
    const out = join(work, 'events.jsonl');
    const video = join(work, 'annotated.mp4');
    const r = await runCli(['analyze', MOVING_SQUARE, '--model', modelDir, '--config', config, '--out', out, '--annotate', video]);
    expect(r.code, r.stderr).toBe(0);
    const events = parseEvents(await readFile(out, 'utf8'));
    const crossings = events.filter((e) => e.type === 'line.cross');
    expect(crossings).toHaveLength(1);
    expect(crossings[0]).toMatchObject({ lineId: 'gate', direction: 'out' });
    expect(events.filter((e) => e.type === 'zone.enter').map((e) => e.type === 'zone.enter' && e.zoneId)).toEqual(['right-half']);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=width,height,codec_name,nb_read_frames', '-of', 'json', video]).toString(),
    );
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240, nb_read_frames: '40' });
  });

  it('names the bad field of a config', async () => {
    const config = join(work, 'bad.yaml');
    await writeFile(config, 'zones:\n  - id: z\n    polygon: [[0, 0], [1, 1]]\n');
    const r = await runCli(['analyze', MOVING_SQUARE, '--model', modelDir, '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/zones\[0\]\.polygon: a zone needs at least 3 points/);
  });

  it('gives a clear error for a missing source and for bad arguments', async () => {
    const missing = await runCli(['analyze', join(work, 'nope.mp4'), '--model', modelDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.mp4/);
    const badFps = await runCli(['analyze', MOVING_SQUARE, '--fps', 'fast']);
    expect(badFps.code).toBe(2);
    expect(badFps.stderr).toMatch(/--fps must be a number/);
    const unknown = await runCli(['analyze', MOVING_SQUARE, '--colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/colour/);
  });

  it('says how to get a model that is not downloaded', async () => {
    const r = await runCli(['analyze', MOVING_SQUARE, '--model', 'fastestdet'], { SIGHTLINE_MODELS_DIR: join(work, 'empty-cache') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sightline models fetch fastestdet/);
  });
});

describe('sightline detect', () => {
  it('prints JSON Lines per frame with class, score and box in source pixels', async () => {
    const r = await runCli(['detect', MOVING_SQUARE, '--model', modelDir, '--json', '--fps', '2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    const first = lines[0];
    expect(first).toMatchObject({ frame: 0, width: 320, height: 240 });
    expect(first.detections).toHaveLength(1);
    const d = first.detections[0];
    expect(d).toMatchObject({ class: 'person', classId: 0 });
    // The square sits at x 20..44, y 100..124 at t = 0.
    expect(d.box[0]).toBeCloseTo(20, -1);
    expect(d.box[1]).toBeCloseTo(100, -1);
    expect(d.box[2]).toBeCloseTo(44, -1);
    expect(d.box[3]).toBeCloseTo(124, -1);
  });
});
