import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SightlineEvent } from '@sightline/protocol';
import { createDetector, type Detector } from '../../src/detect/detector.js';
import { loadModelPackage } from '../../src/detect/model-package.js';
import { writeTinyDetectorPackage } from '../../src/detect/testing/index.js';
import { createSourcePipeline } from '../../src/pipeline/source-pipeline.js';

const square = (speed: number, seconds: number) =>
  `lavfi:color=c=black:s=320x240:r=10:d=${seconds}[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x=20+t*${speed}:y=100:shortest=1[out0]`;

let work: string;
let detector: Detector;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sightline-pipeline-'));
  const { dir } = writeTinyDetectorPackage(join(work, 'tiny'), { inputSize: 256, stride: 16 });
  detector = await createDetector({ model: loadModelPackage(dir), workers: 2 });
});

afterAll(async () => {
  await detector.close();
  await rm(work, { recursive: true, force: true });
});

async function run(source: string, cameraId: string, motion: boolean) {
  const built = await createSourcePipeline({ cameraId, source, detector, motion, live: false });
  const events: SightlineEvent[] = [];
  const trackIds = new Set<number>();
  built.pipeline.on('events', (e) => events.push(...e));
  built.pipeline.on('frame', (o) => o.result.tracks.forEach((t) => trackIds.add(t.trackId)));
  const stats = await built.pipeline.run();
  return { stats, events, trackIds, gate: built.gate };
}

describe('createSourcePipeline', () => {
  it('analyses every frame of two files sharing one detector, in order, with the same answers', async () => {
    const [a, b] = await Promise.all([run(square(60, 4), 'cam-a', false), run(square(60, 4), 'cam-b', false)]);
    for (const [r, cam] of [[a, 'cam-a'], [b, 'cam-b']] as const) {
      expect(r.stats.framesIn).toBe(40);
      expect(r.stats.framesDetected).toBe(40);
      expect(r.stats.framesDroppedByDetector).toBe(0);
      expect(r.events.map((e) => e.type)).toEqual(['zone.enter', 'zone.exit']);
      expect(r.events.every((e) => e.cameraId === cam)).toBe(true);
      expect(r.trackIds.size).toBe(1);
    }
  });

  it('with motion gating, skips the detector on a still scene and keeps the track alive', async () => {
    // The square never moves: after the first frame only the gate's heartbeat runs the detector.
    const r = await run(square(0, 12), 'still', true);
    expect(r.stats.framesIn).toBe(120);
    expect(r.stats.framesDetected).toBeLessThanOrEqual(4);
    expect(r.stats.framesSkippedByGate).toBe(r.stats.framesIn - r.stats.framesDetected);
    expect(r.events.map((e) => e.type)).toEqual(['zone.enter', 'zone.exit']);
    expect(r.trackIds.size).toBe(1);
    const exit = r.events[1]!;
    expect(exit.type === 'zone.exit' && exit.dwell).toBeGreaterThan(11);
  });

  it('with motion gating, runs the detector while something moves and gives the same events', async () => {
    const gated = await run(square(60, 4), 'moving', true);
    expect(gated.stats.framesDetected).toBeGreaterThanOrEqual(38);
    expect(gated.events.map((e) => e.type)).toEqual(['zone.enter', 'zone.exit']);
  });
});
