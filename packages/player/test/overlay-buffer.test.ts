import type { LiveOverlayFrame } from '@sightline/protocol';
import { describe, expect, it } from 'vitest';
import { OverlayFrameBuffer } from '../src/overlay-buffer.js';
import { rtpAdd } from '../src/rtp-time.js';

const frame = (rtpTimestamp: number): LiveOverlayFrame => ({
  cameraId: 'cam',
  rtpTimestamp,
  capturedAt: 1,
  width: 640,
  height: 360,
  objects: [],
});
const timestamps = (buffer: OverlayFrameBuffer, from: number, to: number, step: number) => {
  const found: (number | undefined)[] = [];
  for (let t = from; t <= to; t += step) found.push(buffer.frameFor(rtpAdd(t, 0))?.rtpTimestamp);
  return found;
};

describe('OverlayFrameBuffer', () => {
  it('answers the newest frame at or before the presented timestamp', () => {
    const buffer = new OverlayFrameBuffer();
    for (const t of [3000, 9000, 6000]) buffer.insert(frame(t));
    expect(buffer.frameFor(2999)).toBeUndefined();
    expect(buffer.frameFor(3000)?.rtpTimestamp).toBe(3000);
    expect(buffer.frameFor(5999)?.rtpTimestamp).toBe(3000);
    expect(buffer.frameFor(6000)?.rtpTimestamp).toBe(6000);
    expect(buffer.frameFor(8000)?.rtpTimestamp).toBe(6000);
    expect(buffer.frameFor(9001)?.rtpTimestamp).toBe(9000);
  });

  it('keeps order and lookups right across the 32-bit wrap', () => {
    const buffer = new OverlayFrameBuffer();
    const start = 0xffffffff - 7000; // wraps between the third and the fourth frame
    const inserted = [0, 3000, 6000, 9000, 12_000].map((offset) => rtpAdd(start, offset));
    // Out of order, as a reconnect can deliver them.
    for (const index of [3, 0, 4, 1, 2]) buffer.insert(frame(inserted[index]!));
    expect(buffer.newest?.rtpTimestamp).toBe(inserted[4]);
    for (let i = 0; i < inserted.length; i++) {
      expect(buffer.frameFor(inserted[i]!)?.rtpTimestamp).toBe(inserted[i]);
      expect(buffer.frameFor(rtpAdd(inserted[i]!, 2999))?.rtpTimestamp).toBe(inserted[i]);
    }
    expect(buffer.frameFor(rtpAdd(start, -1))).toBeUndefined();
    expect(timestamps(buffer, start, start + 12_000, 1500)).toEqual([
      inserted[0], inserted[0], inserted[1], inserted[1], inserted[2], inserted[2], inserted[3], inserted[3], inserted[4],
    ]);
  });

  it('draws nothing from a frame older than the stale limit', () => {
    const buffer = new OverlayFrameBuffer({ staleAfterTicks: 90_000 });
    buffer.insert(frame(0xffffffff - 100));
    expect(buffer.frameFor(rtpAdd(0xffffffff - 100, 90_000))?.rtpTimestamp).toBe(0xffffffff - 100);
    expect(buffer.frameFor(rtpAdd(0xffffffff - 100, 90_001))).toBeUndefined();
    // A newer frame, even if it arrived first, does not make an older picture show it.
    buffer.insert(frame(rtpAdd(0xffffffff - 100, 200_000)));
    expect(buffer.frameFor(rtpAdd(0xffffffff - 100, 150_000))).toBeUndefined();
  });

  it('replaces a frame sent twice and drops the oldest beyond its capacity', () => {
    const buffer = new OverlayFrameBuffer({ capacity: 3 });
    buffer.insert(frame(100));
    buffer.insert({ ...frame(100), capturedAt: 2 });
    expect(buffer.size).toBe(1);
    expect(buffer.frameFor(100)?.capturedAt).toBe(2);
    for (const t of [200, 300, 400]) buffer.insert(frame(t));
    expect(buffer.size).toBe(3);
    expect(buffer.frameFor(150)).toBeUndefined();
    expect(buffer.frameFor(250)?.rtpTimestamp).toBe(200);
  });

  it('starts again when the timestamps jump (a new stream)', () => {
    const buffer = new OverlayFrameBuffer({ resetAfterTicks: 900_000 });
    buffer.insert(frame(1_000_000));
    buffer.insert(frame(1_003_000));
    buffer.insert(frame(3_000_000_000));
    expect(buffer.size).toBe(1);
    expect(buffer.frameFor(1_003_000)).toBeUndefined();
    expect(buffer.frameFor(3_000_000_000)?.rtpTimestamp).toBe(3_000_000_000);
  });
});
