import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/source/index.js';

const options = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0, maxAttempts: Infinity };

describe('backoffDelayMs', () => {
  it('doubles from the initial delay up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 60, 2000].map((a) => backoffDelayMs(a, options))).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('spreads delays by the jitter fraction, never past the maximum', () => {
    const jittered = { ...options, jitter: 0.5 };
    expect(backoffDelayMs(1, jittered, () => 0)).toBe(100);
    expect(backoffDelayMs(1, jittered, () => 1)).toBe(300);
    expect(backoffDelayMs(1, jittered, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, jittered, () => 1)).toBe(1000);
    const samples = Array.from({ length: 200 }, () => backoffDelayMs(2, { ...options, jitter: 0.2 }));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(320);
    expect(Math.max(...samples)).toBeLessThanOrEqual(480);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });
});
