import { describe, expect, it } from 'vitest';
import { requireSharedData } from '../../src/util/shared-data.js';
import { FrameSource, probeSource } from '../../src/source/index.js';

describe('FrameSource on a real H.264 clip', () => {
  it('decodes all 480 frames of traffic_overhead.mp4 letterboxed to 416x416', async () => {
    const path = requireSharedData('videos/traffic_overhead.mp4');
    const source = new FrameSource(path, { width: 416, height: 416 });
    let count = 0;
    let lastPts = -1;
    for await (const frame of source) {
      expect(frame.index).toBe(count);
      expect(frame.pts).toBeGreaterThan(lastPts);
      if (count === 0) {
        expect(frame).toMatchObject({ sourceWidth: 640, sourceHeight: 360, width: 416, height: 416 });
        expect(frame.geometry).toEqual({ scaleX: 0.65, scaleY: 0.65, padX: 0, padY: 0 });
        // 360 * 0.65 = 234 rows of picture, then padding.
        expect([...frame.data.subarray(234 * 416 * 3, 234 * 416 * 3 + 6)]).toEqual([114, 114, 114, 114, 114, 114]);
      }
      lastPts = frame.pts;
      count++;
    }
    expect(count).toBe(480);
    // 2997/125 fps: frame 479 is at 479 * 125 / 2997 s.
    expect(lastPts).toBeCloseTo((479 * 125) / 2997, 3);
    expect(source.stats).toMatchObject({ framesDelivered: 480, dropped: 0, state: 'ended', sourceWidth: 640, sourceHeight: 360 });
  });

  it('probes size, rate, codec and duration', async () => {
    const probe = await probeSource(requireSharedData('videos/traffic_overhead.mp4'));
    expect(probe).toMatchObject({ width: 640, height: 360, codec: 'h264' });
    expect(probe.fps).toBeCloseTo(2997 / 125, 3);
    expect(probe.durationSec).toBeCloseTo(20.02, 2);
  });
});
