/** 2^33: MPEG-TS timestamps wrap here (about 26.5 hours at 90 kHz). */
const PTS_MODULUS = 2 ** 33;
const TICKS_PER_MS = 90;

/**
 * x11grab stamps each grab with the wall clock (µs), which MPEG-TS carries as 90 kHz mod 2^33. Putting back the
 * wraps (the grab happened moments ago) gives the grab's wall-clock time: capture latency is simply "now − that".
 */
export function grabTimeTicks(rawPts: number, nowMs = Date.now()): number {
  const now = nowMs * TICKS_PER_MS;
  return rawPts + Math.round((now - rawPts) / PTS_MODULUS) * PTS_MODULUS;
}

export const ticksToMs = (ticks: number): number => ticks / TICKS_PER_MS;

/**
 * The capture's one timeline: the grab time, plus an offset per encoder. A replacing encoder (an IDR on request)
 * delivers its first picture while the old one has already sent newer grabs; its pictures are moved just behind the
 * last one sent, so that pts only grow, by whole frames, and the switch costs no picture.
 */
export class CaptureTimeline {
  #last: number | undefined;
  #offset = 0;

  constructor(private frameTicks: number) {}

  /** The pts of the next picture of the current encoder, grabbed at `grabTicks`. */
  place(grabTicks: number): number {
    let pts = grabTicks + this.#offset;
    if (this.#last !== undefined && pts <= this.#last) pts = this.#last + 1;
    this.#last = pts;
    return pts;
  }

  /**
   * A new encoder takes over with this picture: continue one frame after the last picture if it is older. A new
   * encoder may run at another frame rate: `frameTicks` is its frame interval from now on.
   */
  switchEncoder(grabTicks: number, frameTicks = this.frameTicks): void {
    this.frameTicks = frameTicks;
    this.#offset = this.#last === undefined ? 0 : Math.max(0, this.#last + this.frameTicks - grabTicks);
  }

  /** The picture's grab time on the wall clock, ms: the offset taken out again. */
  wallClockOf(pts: number): number {
    return Math.round(ticksToMs(pts - this.#offset));
  }
}
