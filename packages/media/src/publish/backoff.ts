export interface BackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Exponential backoff with ±20% jitter, so that many edges that lost the hub together do not retry in lockstep. */
export class Backoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
  }

  get failures(): number {
    return this.#failures;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.#failures);
    this.#failures++;
    return Math.round(base * (0.8 + 0.4 * Math.random()));
  }

  reset(): void {
    this.#failures = 0;
  }
}
