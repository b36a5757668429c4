import type { ViewerFeedback } from '@sightline/media';

export interface BitrateAdapterOptions {
  /** The app's bitrate: where a session starts and the most it gets. */
  maxKbps: number;
  minKbps?: number;
  /** A new target is sent only when it differs by this fraction from the current one. Default 0.15. */
  changeFraction?: number;
  /** At most one change per this many ms (each change restarts the encoder). Default 2000. */
  minIntervalMs?: number;
}

/**
 * The session's encoder target from the player's receiver feedback: Chrome's receive-side bandwidth estimate (REMB)
 * caps it, and reported loss cuts it multiplicatively (over 10 % loss: × 0.7; 2–10 %: × 0.9), while a clean network
 * lets it climb back 8 % per interval. Changes are rate-limited and need a real difference, because each one
 * restarts the encoder (an IDR).
 */
export class BitrateAdapter {
  readonly #max: number;
  readonly #min: number;
  readonly #changeFraction: number;
  readonly #minIntervalMs: number;
  #target: number;
  #rembKbps: number | undefined;
  #lossCut = 1;
  #lastChangeAt = -Infinity;

  constructor(options: BitrateAdapterOptions) {
    this.#max = options.maxKbps;
    this.#min = Math.min(options.minKbps ?? 300, options.maxKbps);
    this.#changeFraction = options.changeFraction ?? 0.15;
    this.#minIntervalMs = options.minIntervalMs ?? 2000;
    this.#target = options.maxKbps;
  }

  get targetKbps(): number {
    return this.#target;
  }

  /** Takes one feedback message; returns the new target when the encoder should change now. */
  onFeedback(feedback: ViewerFeedback, now = performance.now()): number | undefined {
    if (feedback.kind === 'remb') this.#rembKbps = feedback.bitrateBps / 1000;
    else if (feedback.fractionLost > 0.1) this.#lossCut = Math.max(0.1, this.#lossCut * 0.7);
    else if (feedback.fractionLost > 0.02) this.#lossCut = Math.max(0.1, this.#lossCut * 0.9);
    else this.#lossCut = Math.min(1, this.#lossCut * 1.08);
    return this.#decide(now);
  }

  #decide(now: number): number | undefined {
    const cap = this.#rembKbps === undefined ? this.#max : Math.min(this.#max, this.#rembKbps * 0.9);
    const wanted = Math.round(Math.max(this.#min, Math.min(cap, this.#max * this.#lossCut)));
    if (wanted === this.#target) return undefined;
    // Small steps are not worth an IDR, except the last one back to the ceiling (or down to the floor).
    const bound = wanted === this.#max || wanted === this.#min;
    if (!bound && Math.abs(wanted - this.#target) < this.#target * this.#changeFraction) return undefined;
    if (now - this.#lastChangeAt < this.#minIntervalMs) return undefined;
    this.#lastChangeAt = now;
    this.#target = wanted;
    return wanted;
  }
}
