import { SightlineApiError } from './errors.js';

/**
 * One request's abort signal: fires when the caller aborts or the time limit passes, and remembers which, so a
 * failure can be reported as `timeout`, `aborted` or `unreachable` rather than a bare AbortError.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  private readonly onCallerAbort = () => this.controller.abort(this.callerSignal?.reason);

  constructor(
    private readonly timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (timeoutMs > 0 && !this.controller.signal.aborted) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.controller.abort();
      }, timeoutMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get callerAborted(): boolean {
    return Boolean(this.callerSignal?.aborted);
  }

  /** The time limit covers the answer's headers only; a stream may then stay open for as long as the caller wants. */
  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopTimer();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  /** Turns whatever fetch or a body read threw into a SightlineApiError that names the URL. */
  explain(err: unknown, method: string, url: string): SightlineApiError {
    if (err instanceof SightlineApiError) return err;
    const details = { status: null, method, url, cause: err };
    if (this.timedOut) return new SightlineApiError('timeout', `no answer from the hub at ${url} within ${this.timeoutMs} ms`, details);
    if (this.callerAborted) return new SightlineApiError('aborted', `${method} ${url} was aborted`, details);
    return new SightlineApiError('unreachable', `cannot reach the hub at ${url}: ${networkReason(err)}`, details);
  }
}

/** Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in its cause. */
export function networkReason(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause;
    if (cause instanceof Error && cause.message) return cause.message;
    if (cause && typeof cause === 'object' && 'code' in cause) return String((cause as { code: unknown }).code);
    return err.message;
  }
  return String(err);
}
