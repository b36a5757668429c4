import { OverlaySlackTracker } from './overlay-slack.js';

/** The part of WhepConnection this needs. */
export interface PlayoutDelayTarget {
  setPlayoutDelay(ms: number | undefined): void;
  readonly playoutDelay: number | undefined;
}

export interface AutoPlayoutDelayOptions {
  /** The headroom kept between an overlay's arrival and its picture. Default 30 ms. */
  marginMs?: number;
  /** The most delay ever added. Default 500 ms. */
  maxDelayMs?: number;
  /** How long overlays must all be early by more than twice the margin before the delay comes down. Default 10 s. */
  lowerAfterMs?: number;
}

/**
 * Holds the video just long enough for overlay frames to arrive before their pictures (analysis at the edge and
 * the event path are usually slower than the video), by feedback on the measured slack: a late or nearly late
 * overlay raises the delay by what was missing plus the margin; a long run of comfortably early ones lowers it by
 * half the excess. Browsers move the playout delay gradually (Chrome by about 100 ms per second), so samples are
 * ignored until a change has had time to take effect; otherwise it would overshoot.
 */
export class AutoPlayoutDelay {
  readonly slack = new OverlaySlackTracker();
  readonly marginMs: number;
  readonly maxDelayMs: number;
  readonly lowerAfterMs: number;
  /** Samples before this time (performance.now()) are from before the last change took effect. */
  private settledAt = -Infinity;
  /** The smallest slack since the delay settled, and since when it has been collected. */
  private minSlack = Infinity;
  private collectingSince: number | undefined;
  private worstSeen: number | undefined;

  constructor(
    private readonly target: PlayoutDelayTarget,
    options: AutoPlayoutDelayOptions = {},
  ) {
    this.marginMs = options.marginMs ?? 30;
    this.maxDelayMs = options.maxDelayMs ?? 500;
    this.lowerAfterMs = options.lowerAfterMs ?? 10_000;
  }

  /** The smallest slack (ms) measured since the delay last changed: negative means overlays came late. */
  get worstSlackMs(): number | undefined {
    return this.worstSeen;
  }

  overlayArrived(rtpTimestamp: number, now = performance.now()): void {
    const slack = this.slack.overlayArrived(rtpTimestamp, now);
    if (slack !== undefined) this.sample(slack, now);
  }

  picturePresented(rtpTimestamp: number | undefined, expectedDisplayTime: number, now = performance.now()): void {
    if (rtpTimestamp === undefined) return;
    const slack = this.slack.picturePresented(rtpTimestamp, expectedDisplayTime);
    if (slack !== undefined) this.sample(slack, now);
  }

  private sample(slackMs: number, now: number): void {
    if (now < this.settledAt) return;
    this.collectingSince ??= now;
    this.minSlack = Math.min(this.minSlack, slackMs);
    this.worstSeen = this.minSlack;
    const current = this.target.playoutDelay ?? 0;
    if (this.minSlack < this.marginMs / 2 && current < this.maxDelayMs) {
      this.change(current, current + (this.marginMs - this.minSlack), now);
    } else if (now - this.collectingSince >= this.lowerAfterMs && this.minSlack > 2 * this.marginMs && current > 0) {
      this.change(current, current - (this.minSlack - this.marginMs) / 2, now);
    }
  }

  private change(current: number, wanted: number, now: number): void {
    const next = Math.round(Math.min(this.maxDelayMs, Math.max(0, wanted)));
    this.target.setPlayoutDelay(next);
    // About 100 ms of change per second, plus a little for the samples already in flight.
    this.settledAt = now + 300 + Math.abs(next - current) * 10;
    this.minSlack = Infinity;
    this.collectingSince = undefined;
  }
}
