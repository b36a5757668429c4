export interface ReconnectOptions {
  /** Delay before the first retry. Default 500 ms. */
  initialDelayMs?: number;
  /** Ceiling for the growing delay. Default 30 s. */
  maxDelayMs?: number;
  /** Random spread applied to each delay, as a fraction: 0.2 means ±20 %. Default 0.2. */
  jitter?: number;
  /** Give up (state 'error') after this many consecutive failed attempts. Default: never. */
  maxAttempts?: number;
}

export type ResolvedReconnectOptions = Required<ReconnectOptions>;

export const DEFAULT_RECONNECT: ResolvedReconnectOptions = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/**
 * Delay before retry number `attempt` (0 for the first): exponential doubling capped at the maximum,
 * spread by jitter so that many cameras behind one failed switch do not reconnect in lockstep.
 */
export function backoffDelayMs(attempt: number, options: ResolvedReconnectOptions, random: () => number = Math.random): number {
  const exponential = options.initialDelayMs * 2 ** Math.min(attempt, 52);
  const base = Math.min(options.maxDelayMs, exponential);
  const spread = 1 + options.jitter * (2 * random() - 1);
  return Math.round(Math.min(options.maxDelayMs, Math.max(0, base * spread)));
}
