import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWindows, SegmentRecorder, type FinishedSegment } from '../src/recording/index.js';
import { parseSegmentListLine } from '../src/recording/segment-list.js';
import { wallClockNear } from '../src/recording/pts-clock.js';
import { LavfiTap, probeSegment } from './recording-support.js';

const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SegmentRecorder', () => {
  let tap: LavfiTap;
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-recorder-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    tap = new LavfiTap({ fps: 15, gop: 15 });
    await tap.ready();
  });
  afterAll(() => {
    tap?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes self-contained fMP4 segments whose wall-clock times follow the tap, and the last one on stop', async () => {
    const dir = newDir();
    const recorder = new SegmentRecorder({ tap, dir, log: silent, segmentSeconds: 2 });
    const segments: FinishedSegment[] = [];
    recorder.on('segment', (s) => segments.push(s));
    // A consumer that throws must not hold up the recording.
    recorder.on('segment', () => {
      throw new Error('a bug downstream');
    });
    const startedAt = Date.now();
    recorder.start();
    await waitFor('four segments', () => segments.length >= 4, 30_000);
    const pid = recorder.stats.pid!;
    await recorder.stop();
    expect(alive(pid)).toBe(false);
    expect(recorder.stats.running).toBe(false);
    // The one in progress at stop was closed and handed over too.
    expect(segments.length).toBeGreaterThanOrEqual(5);

    for (const [i, segment] of segments.entries()) {
      expect(segment.startedAt).toBe(tap.wallClockOf(segment.startPts));
      expect(segment.durationMs).toBe(Math.round((segment.endPts - segment.startPts) / 90));
      const probe = await probeSegment(segment.path);
      expect(probe.firstFrameKey, `segment ${i} starts on a keyframe`).toBe(true);
      expect(probe.startS).toBe(0);
      expect(Math.abs(probe.durationS * 1000 - segment.durationMs), `segment ${i} length`).toBeLessThanOrEqual(70);
      if (i === 0) continue;
      const previous = segments[i - 1]!;
      // Back to back on the timeline and on the wall clock.
      expect(segment.startPts).toBe(previous.endPts);
      expect(Math.abs(segment.startedAt - (previous.startedAt + previous.durationMs))).toBeLessThanOrEqual(2);
      // Cut at the first keyframe (every second) after each 2-second mark.
      if (i < segments.length - 1) expect(segment.durationMs % 1000).toBe(0);
    }
    // The first segment begins with the tap's replayed keyframe, at most a second before recording started.
    expect(segments[0]!.startedAt).toBeGreaterThan(startedAt - 1100);
    expect(segments[0]!.startedAt).toBeLessThan(startedAt + 200);
    expect(readdirSync(dir).sort()).toEqual(segments.map((s) => s.path.slice(dir.length + 1)).sort());
  });

  it('starts ffmpeg again from a fresh tap stream when it dies, and leaves no half segment behind', async () => {
    const dir = newDir();
    const recorder = new SegmentRecorder({ tap, dir, log: silent, segmentSeconds: 2, restartBackoff: { initialDelayMs: 100, maxDelayMs: 200 } });
    const segments: FinishedSegment[] = [];
    recorder.on('segment', (s) => segments.push(s));
    const opensBefore = tap.opens;
    recorder.start();
    await waitFor('a first segment', () => segments.length >= 1, 20_000);
    const first = recorder.stats.pid!;
    process.kill(first, 'SIGKILL');
    await waitFor('a new ffmpeg', () => recorder.stats.pid !== undefined && recorder.stats.pid !== first, 10_000);
    const before = segments.length;
    await waitFor('segments from the new run', () => segments.length >= before + 2, 20_000);
    expect(recorder.stats.restarts).toBe(1);
    expect(recorder.stats.lastError).toMatch(/SIGKILL|exit/);
    expect(tap.opens - opensBefore).toBe(2);
    const second = recorder.stats.pid!;
    await recorder.stop();
    expect(alive(first)).toBe(false);
    expect(alive(second)).toBe(false);
    // Only finished segments are on disk: the one the killed ffmpeg was writing is gone.
    expect(readdirSync(dir).sort()).toEqual(segments.map((s) => s.path.slice(dir.length + 1)).sort());
    for (const s of segments) expect(existsSync(s.path)).toBe(true);
    // The new run replays the tap's prebuffer: its first segment may repeat up to a second, never leaves a hole.
    const after = segments[before]!;
    const last = segments[before - 1]!;
    expect(after.startedAt).toBeLessThanOrEqual(last.startedAt + last.durationMs + 2500);
    expect(tap.openStreams).toBe(0);
  });
});

describe('SegmentRecorder with a tap that fails to open', () => {
  it('tries again with backoff', async () => {
    const tap = new LavfiTap({ fps: 15, gop: 15 });
    const dir = mkdtempSync(join(tmpdir(), 'sightline-recorder-'));
    try {
      await tap.ready();
      let opens = 0;
      const flaky = {
        open: () => {
          if (opens++ === 0) throw new Error('feed not ready');
          return tap.open();
        },
        wallClockOf: (pts: number) => tap.wallClockOf(pts),
      };
      const recorder = new SegmentRecorder({ tap: flaky, dir, log: silent, segmentSeconds: 2, restartBackoff: { initialDelayMs: 100, maxDelayMs: 100 } });
      const segments: FinishedSegment[] = [];
      recorder.on('segment', (s) => segments.push(s));
      recorder.start();
      await waitFor('a segment after the failed open', () => segments.length >= 1, 20_000);
      expect(recorder.stats).toMatchObject({ restarts: 1, lastError: 'feed not ready' });
      await recorder.stop();
    } finally {
      tap.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SegmentRecorder in a process that is killed', () => {
  it('takes its ffmpeg with it, even on SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-recorder-crash-'));
    const script = join(dirname(fileURLToPath(import.meta.url)), 'recording-crash-child.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const pid = await waitFor('the recorder ffmpeg pid', () => /recorder (\d+)/.exec(output)?.[1], 30_000);
      const recorderPid = Number(pid);
      expect(alive(recorderPid)).toBe(true);
      child.kill('SIGKILL');
      await waitFor('the recorder ffmpeg to die with its parent', () => !alive(recorderPid), 5000);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('segment list lines', () => {
  it("reads ffmpeg's CSV lines and refuses anything else", () => {
    expect(parseSegmentListLine('abc001-000003.mp4,12.400000,16.400000\n')).toEqual({ file: 'abc001-000003.mp4', index: 3, startSeconds: 12.4, endSeconds: 16.4 });
    expect(parseSegmentListLine('"a,b-000001.mp4",1,2')).toBeUndefined();
    expect(parseSegmentListLine('x-000001.mp4,5,4')).toBeUndefined();
    expect(parseSegmentListLine('../x-000001.mp4,1,2')).toBeUndefined();
    expect(parseSegmentListLine('')).toBeUndefined();
  });
});

describe('wall clock of a PTS', () => {
  it('places a 33-bit PTS that wrapped on the tap timeline closest to now', () => {
    const anchor = { pts: 2 ** 33 + 900_000, at: 1_000_000_000 };
    const tap = { open: () => { throw new Error('unused'); }, wallClockOf: (pts: number) => anchor.at + (pts - anchor.pts) / 90 };
    // ffmpeg reports the wrapped value (10 s past the wrap); the tap's own timeline is past 2^33.
    expect(wallClockNear(tap, 900_000, anchor.at)).toBe(anchor.at);
    expect(wallClockNear(tap, 900_000 - 90_000, anchor.at)).toBe(anchor.at - 1000);
    expect(wallClockNear(tap, anchor.pts, anchor.at)).toBe(anchor.at);
  });
});

describe('event windows', () => {
  it('merges overlapping windows and answers overlaps', () => {
    const w = new EventWindows();
    w.add(10, 20);
    w.add(15, 30);
    w.add(50, 60);
    expect(w.size).toBe(2);
    expect(w.overlaps(29, 40)).toBe(true);
    expect(w.overlaps(30, 50)).toBe(false);
    expect(w.overlaps(0, 11)).toBe(true);
    w.forgetBefore(40);
    expect(w.size).toBe(1);
    expect(w.overlaps(10, 20)).toBe(false);
  });
});
