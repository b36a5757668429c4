import { describe, expect, it } from 'vitest';
import { summarizePlaybackStats } from '../src/playback-stats.js';

const inbound = (timestamp: number, framesDecoded: number, bytesReceived: number, extra: Record<string, unknown> = {}) => ({
  id: 'IT01V',
  type: 'inbound-rtp',
  kind: 'video',
  timestamp,
  framesDecoded,
  bytesReceived,
  packetsReceived: framesDecoded * 3,
  packetsLost: 2,
  jitter: 0.004,
  frameWidth: 640,
  frameHeight: 360,
  ...extra,
});
const transport = { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' };
const pairs = [
  { id: 'CP0', type: 'candidate-pair', nominated: false, state: 'waiting', currentRoundTripTime: 9 },
  { id: 'CP1', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.012 },
];

describe('playback stats summary', () => {
  it('reads the inbound video and the selected candidate pair', () => {
    const summary = summarizePlaybackStats([transport, ...pairs, inbound(1000, 30, 100_000, { framesPerSecond: 29.5 })]);
    expect(summary).toMatchObject({
      framesDecoded: 30,
      fps: 29.5,
      bitrate: undefined,
      packetsLost: 2,
      jitterMs: 4,
      rttMs: 12,
      width: 640,
      height: 360,
    });
  });

  it('measures the bitrate and frame rate since the previous summary', () => {
    const first = summarizePlaybackStats([inbound(1000, 30, 100_000)])!;
    expect(first.fps).toBeUndefined();
    const second = summarizePlaybackStats([inbound(3000, 90, 350_000)], first)!;
    expect(second.bitrate).toBe(1_000_000);
    expect(second.fps).toBe(30);
  });

  it('has no rtt without a selected or nominated pair, and no summary without inbound video', () => {
    expect(summarizePlaybackStats([inbound(1, 1, 1)])?.rttMs).toBeUndefined();
    expect(summarizePlaybackStats([pairs[1], inbound(1, 1, 1)])?.rttMs).toBe(12);
    expect(summarizePlaybackStats([{ type: 'inbound-rtp', kind: 'audio' }, null, 'x'])).toBeUndefined();
  });
});
