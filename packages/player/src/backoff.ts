export interface BackoffOptions {
  /** The first delay. Default 500 ms. */
  initialDelayMs?: number;
  /** The longest delay. Default 15 s. */
  maxDelayMs?: number;
  /** Random spread, as a fraction of the delay either way. Default 0.2 (±20%). */
  jitter?: number;
}

/**
 * Exponential backoff with jitter: every viewer of a hub that restarts must not come back in the same millisecond.
 * `random` is injectable for tests.
 */
export class Backoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  private failures = 0;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialDelayMs = Math.max(0, options.initialDelayMs ?? 500);
    this.maxDelayMs = Math.max(this.initialDelayMs, options.maxDelayMs ?? 15_000);
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(base * (1 - this.jitter + 2 * this.jitter * this.random()));
  }

  reset(): void {
    this.failures = 0;
  }
}
