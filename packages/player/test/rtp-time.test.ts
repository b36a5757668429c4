import { describe, expect, it } from 'vitest';
import { compareRtp, msToRtpTicks, rtpAdd, rtpAtOrAfter, rtpDiff } from '../src/rtp-time.js';

describe('RTP timestamp arithmetic', () => {
  it('subtracts across the 32-bit wrap', () => {
    expect(rtpDiff(1000, 0)).toBe(1000);
    expect(rtpDiff(0, 1000)).toBe(-1000);
    expect(rtpDiff(1500, 0xffffffff - 1499)).toBe(3000);
    expect(rtpDiff(0xffffffff - 1499, 1500)).toBe(-3000);
    expect(rtpDiff(0, 0xffffffff)).toBe(1);
  });

  it('orders timestamps that straddle the wrap by the shortest way round', () => {
    const before = [0xffffe890, 0xfffff448, 0xffffffff, 0, 3000, 6000];
    const shuffled = [3000, 0xffffffff, 6000, 0xffffe890, 0, 0xfffff448];
    expect(shuffled.sort(compareRtp)).toEqual(before);
    expect(rtpAtOrAfter(10, 0xfffffff0)).toBe(true);
    expect(rtpAtOrAfter(0xfffffff0, 10)).toBe(false);
    expect(rtpAtOrAfter(5, 5)).toBe(true);
  });

  it('adds with wrap-around and converts milliseconds to 90 kHz ticks', () => {
    expect(rtpAdd(0xffffffff, 1)).toBe(0);
    expect(rtpAdd(0, -1)).toBe(0xffffffff);
    expect(msToRtpTicks(1000)).toBe(90_000);
    expect(msToRtpTicks(33.3333)).toBe(3000);
  });
});
