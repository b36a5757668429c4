import { describe, expect, it } from 'vitest';
import { summarizeStreamStats } from '../src/stream-stats.js';

const inbound = (timestamp: number, o: { frames: number; bytes: number; received: number; lost: number; dropped?: number; jbDelay?: number; jbCount?: number; fps?: number }) => ({
  id: 'IT01V',
  type: 'inbound-rtp',
  kind: 'video',
  codecId: 'CIT01_96',
  timestamp,
  framesDecoded: o.frames,
  framesDropped: o.dropped ?? 0,
  bytesReceived: o.bytes,
  packetsReceived: o.received,
  packetsLost: o.lost,
  jitterBufferDelay: o.jbDelay,
  jitterBufferEmittedCount: o.jbCount,
  framesPerSecond: o.fps,
  frameWidth: 1280,
  frameHeight: 720,
});
const codec = { id: 'CIT01_96', type: 'codec', mimeType: 'video/H264' };
const transport = { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' };
const pair = { id: 'CP1', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.0021 };

describe('the stream stats HUD model', () => {
  it('reads RTT, codec and size at once, and rates from the second summary on', () => {
    const first = summarizeStreamStats([transport, pair, codec, inbound(1000, { frames: 30, bytes: 100_000, received: 100, lost: 0, jbDelay: 0.6, jbCount: 30 })])!;
    expect(first).toMatchObject({ rttMs: 2.1, codec: 'H264', width: 1280, height: 720, fps: undefined, bitrateKbps: undefined, lossPercent: undefined, framesDroppedInterval: undefined });
    // Before a previous summary, the jitter buffer delay is the average since the start.
    expect(first.jitterBufferDelayMs).toBeCloseTo(20);
    const second = summarizeStreamStats(
      [transport, pair, codec, inbound(2000, { frames: 90, bytes: 600_000, received: 196, lost: 4, dropped: 2, jbDelay: 0.6 + 60 * 0.035, jbCount: 90 })],
      first,
    )!;
    expect(second.fps).toBe(60);
    expect(second.bitrateKbps).toBe(4000);
    expect(second.lossPercent).toBe(4);
    expect(second.jitterBufferDelayMs).toBeCloseTo(35);
    expect(second.framesDroppedInterval).toBe(2);
    expect(second.framesDropped).toBe(2);
  });

  it('prefers the browser frame rate, and reports no loss when nothing came', () => {
    const first = summarizeStreamStats([inbound(1000, { frames: 10, bytes: 10, received: 10, lost: 0, fps: 29.97 })])!;
    const second = summarizeStreamStats([inbound(2000, { frames: 10, bytes: 10, received: 10, lost: 0, fps: 29.97 })], first)!;
    expect(second.fps).toBe(29.97);
    expect(second.lossPercent).toBe(0);
    expect(second.jitterBufferDelayMs).toBeUndefined();
    expect(second.codec).toBeUndefined();
  });

  it('has no summary without inbound video', () => {
    expect(summarizeStreamStats([transport, pair])).toBeUndefined();
  });
});
