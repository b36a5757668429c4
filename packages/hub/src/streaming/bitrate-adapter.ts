import type { ViewerFeedback } from '@sightline/media';

/** What the encoder is asked for at a bitrate target: fewer pixels, then fewer frames, when the bitrate gets scarce. */
export interface EncodingTarget {
  bitrateKbps: number;
  fps: number;
  height: number;
}

/**
 * The picture size and rate for a bitrate target: full below 40 % of the app's bitrate is too few bits a pixel for a
 * sharp picture, so the height drops to two thirds (720 → 480); under 15 % to half, at half the rate (not under
 * 15 fps). Above 40 % the app's own size and rate come back.
 */
export function encodingFor(targetKbps: number, app: { bitrateKbps: number; fps: number; height: number }): EncodingTarget {
  const ratio = targetKbps / app.bitrateKbps;
  const even = (value: number) => Math.max(90, 2 * Math.round(value / 2));
  if (ratio >= 0.4) return { bitrateKbps: targetKbps, fps: app.fps, height: app.height };
  if (ratio >= 0.15) return { bitrateKbps: targetKbps, fps: app.fps, height: even((app.height * 2) / 3) };
  return { bitrateKbps: targetKbps, fps: Math.min(app.fps, Math.max(15, Math.round(app.fps / 2))), height: even(app.height / 2) };
}

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
 * The session's encoder target from the player's receiver feedback. Loss is the congestion signal: over 10 % cuts
 * the target by 30 %, 2–10 % by 10 %, and while Chrome also sends a bandwidth estimate (REMB), a congested network
 * caps the target at 90 % of it. A clean network lets the target climb back 8 % per report. REMB alone does not move
 * the target: without transport-wide feedback Chrome's receive-side estimate hovers around the rate it receives, and
 * a game stream's rate swings with the picture, so following it would restart the encoder (an IDR, a glitch) for
 * nothing. Changes are rate-limited and need a real difference, for the same reason.
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
    if (feedback.kind === 'remb') {
      this.#rembKbps = feedback.bitrateBps / 1000;
      return undefined;
    }
    const congested = feedback.fractionLost > 0.02;
    if (feedback.fractionLost > 0.1) this.#lossCut = Math.max(0.05, this.#lossCut * 0.7);
    else if (congested) this.#lossCut = Math.max(0.05, this.#lossCut * 0.9);
    else this.#lossCut = Math.min(1, this.#lossCut * 1.08);
    let wanted = this.#max * this.#lossCut;
    if (congested && this.#rembKbps !== undefined) wanted = Math.min(wanted, this.#rembKbps * 0.9);
    return this.#decide(Math.round(Math.max(this.#min, Math.min(this.#max, wanted))), now);
  }

  #decide(wanted: number, now: number): number | undefined {
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
