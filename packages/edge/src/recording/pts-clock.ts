import type { TsTap } from './ts-tap.js';

/** MPEG-TS timestamps are 33-bit: they wrap every 2^33 / 90 kHz ≈ 26.5 hours. */
const PTS_MODULUS = 2 ** 33;

/**
 * The wall-clock time of a PTS that ffmpeg reported, taken near `now`. A fresh ffmpeg starts from the 33-bit value the
 * stream carries, while the tap's own timeline keeps growing past 2^33 on a feed that runs for more than a day; of the
 * candidates pts + k·2^33, the one the tap places closest to now is meant (a segment is seconds old, a wrap a day).
 */
export function wallClockNear(tap: TsTap, pts: number, now: number): number {
  const guess = tap.wallClockOf(pts);
  const wraps = Math.round(((now - guess) * 90) / PTS_MODULUS);
  return wraps === 0 ? guess : tap.wallClockOf(pts + wraps * PTS_MODULUS);
}
