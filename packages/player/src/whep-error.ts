export type WhepErrorCode =
  /** 401: no token or a token the hub does not accept. Not retried: a new token will not come by waiting. */
  | 'unauthorized'
  /** 403: the token does not allow viewing this camera. Not retried. */
  | 'forbidden'
  /** 404: no such camera (or WHEP endpoint). Not retried. */
  | 'not-found'
  /** Another 4xx (an offer the hub cannot answer, a wrong content type): retrying would send the same. Not retried. */
  | 'rejected'
  /** 5xx, 408 or 429: the hub is there but cannot serve now. Retried. */
  | 'http-error'
  /** The hub could not be reached, or did not answer in time. Retried. */
  | 'network'
  /** The token provider failed. Retried. */
  | 'token-failed'
  /** A 2xx without an SDP answer. Retried: a hub being deployed can answer oddly for a moment. */
  | 'bad-answer'
  /** ICE or DTLS did not connect in time, or the connection failed or stayed disconnected later. Retried. */
  | 'connection-failed'
  /** This browser has no WebRTC. Not retried. */
  | 'unsupported';

const FINAL: ReadonlySet<WhepErrorCode> = new Set(['unauthorized', 'forbidden', 'not-found', 'rejected', 'unsupported']);

export class WhepError extends Error {
  override readonly name = 'WhepError';
  constructor(
    readonly code: WhepErrorCode,
    message: string,
    /** The HTTP status when the hub answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether another attempt can succeed without anything else changing. */
  get retryable(): boolean {
    return !FINAL.has(this.code);
  }
}

/** The error for a non-2xx answer to the WHEP POST. */
export function whepErrorForStatus(status: number, detail: string): WhepError {
  const message = `WHEP answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 401) return new WhepError('unauthorized', message, status);
  if (status === 403) return new WhepError('forbidden', message, status);
  if (status === 404) return new WhepError('not-found', message, status);
  // 408 (request timeout), 425 (too early) and 429 (too many requests) are about timing, not about the request.
  if (status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429) return new WhepError('rejected', message, status);
  return new WhepError('http-error', message, status);
}
