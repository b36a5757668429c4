/**
 * RTP timestamps are unsigned 32-bit counters (90 kHz for video) that start at a random value and wrap around about
 * every 13 hours, so they cannot be compared with `<`. Serial-number arithmetic (RFC 1982) compares them by the
 * shortest way round the circle: valid while the two are less than 2^31 ticks (6.6 hours) apart, far more than any
 * buffer here holds.
 */

/** The RTP video clock rate. */
export const RTP_VIDEO_CLOCK_HZ = 90_000;

/** `a - b` in ticks, as a signed 32-bit number: positive when `a` is later than `b`, whichever side of a wrap. */
export function rtpDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Orders two RTP timestamps for Array.prototype.sort: negative when `a` is earlier than `b`. */
export function compareRtp(a: number, b: number): number {
  return rtpDiff(a, b);
}

/** Whether `a` is the same instant as `b` or later. */
export function rtpAtOrAfter(a: number, b: number): boolean {
  return rtpDiff(a, b) >= 0;
}

/** Adds (or subtracts) ticks, wrapping into the unsigned 32-bit range. */
export function rtpAdd(timestamp: number, ticks: number): number {
  return (timestamp + ticks) >>> 0;
}

/** Milliseconds to ticks of the 90 kHz clock. */
export function msToRtpTicks(ms: number): number {
  return Math.round((ms * RTP_VIDEO_CLOCK_HZ) / 1000);
}
