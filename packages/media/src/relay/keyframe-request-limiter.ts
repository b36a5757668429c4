/**
 * Coalesces keyframe requests from many viewers into at most one upstream request per interval. A request that
 * arrives during the quiet period is sent when it ends, unless a keyframe arrived in the meantime (which already
 * serves it), so no viewer is left waiting for a keyframe nobody asked for.
 */
export class KeyframeRequestLimiter {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly minIntervalMs: number,
    private readonly send: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  request(): void {
    if (this.trailing) return;
    const wait = this.lastSentAt + this.minIntervalMs - this.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      this.fire();
    }, wait);
    this.trailing.unref();
  }

  /** A keyframe came from upstream: a pending request is already answered. */
  keyframeArrived(): void {
    this.cancel();
  }

  cancel(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  private fire(): void {
    this.lastSentAt = this.now();
    this.send();
  }
}
