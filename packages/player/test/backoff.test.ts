import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';

describe('reconnect backoff', () => {
  it('doubles up to the maximum and resets', () => {
    const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 4000, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(backoff.attempts).toBe(5);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it('spreads delays by the jitter either way', () => {
    expect(new Backoff({ initialDelayMs: 1000, jitter: 0.2 }, () => 0).next()).toBe(800);
    expect(new Backoff({ initialDelayMs: 1000, jitter: 0.2 }, () => 1).next()).toBe(1200);
    expect(new Backoff({ initialDelayMs: 1000, jitter: 0.2 }, () => 0.5).next()).toBe(1000);
    const delays = Array.from({ length: 200 }, () => new Backoff({ initialDelayMs: 1000 }).next());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1200);
    expect(new Set(delays).size).toBeGreaterThan(20);
  });

  it('never overflows after many failures', () => {
    const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 15_000, jitter: 0 });
    for (let i = 0; i < 2000; i++) backoff.next();
    expect(backoff.next()).toBe(15_000);
  });
});
