import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSource } from '../../src/source/index.js';
import { encodeTestVideo, makeTempDir, sleep } from './helpers.js';

describe('FrameSource with a slow consumer', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let video: string;

  beforeAll(async () => {
    temp = await makeTempDir();
    video = await encodeTestVideo('testsrc2=size=320x240:rate=25:duration=3', join(temp.dir, 'clip.mp4'));
  });
  afterAll(() => temp.remove());

  it('drops the oldest frames of a live source and counts them', async () => {
    const source = new FrameSource('lavfi:testsrc2=size=160x120:rate=30', { width: 64, height: 64, live: true, queueSize: 2 });
    expect(source.live).toBe(true);
    expect(source.options.overflow).toBe('drop-oldest');
    const pts: number[] = [];
    for await (const frame of source) {
      expect(frame.index).toBe(pts.length);
      pts.push(frame.pts);
      await sleep(150); // about 5 of 30 frames per second
      if (pts.length === 8) break;
    }
    const stats = source.stats;
    expect(stats.state).toBe('ended');
    expect(stats.dropped).toBeGreaterThan(10);
    expect(stats.framesDelivered).toBe(8);
    // Everything produced was either delivered, dropped, or still queued when the loop stopped.
    expect(stats.framesReceived - stats.framesDelivered - stats.dropped).toBeLessThanOrEqual(2);
    // Frames are fresh: the gap between delivered frames reflects the consumer's pace, not 1/30 s.
    const gaps = pts.slice(2).map((p, i) => p - pts[i + 1]!);
    expect(Math.min(...gaps)).toBeGreaterThan(0.09);
  });

  it('pauses ffmpeg for a file and loses nothing', async () => {
    const source = new FrameSource(video, { width: 64, height: 64, queueSize: 2 });
    expect(source.live).toBe(false);
    expect(source.options.overflow).toBe('pause');
    let count = 0;
    let lastPts = -1;
    for await (const frame of source) {
      expect(frame.index).toBe(count);
      expect(frame.pts).toBeGreaterThan(lastPts);
      lastPts = frame.pts;
      count++;
      if (count % 10 === 0) await sleep(60); // long enough for ffmpeg to fill the queue and the pipe
    }
    expect(count).toBe(75);
    expect(source.stats).toMatchObject({ dropped: 0, framesDelivered: 75, framesReceived: 75, state: 'ended' });
  });

  it('offers a pull API that starts on demand and returns null after the end', async () => {
    const source = new FrameSource('lavfi:testsrc2=size=64x64:rate=10:duration=0.5', { width: 32, height: 32 });
    expect(source.state).toBe('idle');
    const frames = [];
    for (let frame = await source.next(); frame !== null; frame = await source.next()) frames.push(frame);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(await source.next()).toBeNull();
  });
});
