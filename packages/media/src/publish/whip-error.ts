export type WhipErrorCode =
  /** The endpoint refused the token (401 or 403). */
  | 'unauthorized'
  /** The endpoint answered with another error status. */
  | 'http-error'
  /** The endpoint could not be reached, or did not answer in time. */
  | 'network'
  /** The endpoint answered 2xx but not with a WHIP answer (SDP body, Location header). */
  | 'bad-response'
  /** ICE/DTLS did not connect, or the connection failed later. */
  | 'connection-failed'
  /** Connected, but the receiver has sent no RTCP for rtcpTimeoutMs: it is gone. */
  | 'remote-silent'
  /** The encoder failed for good (source missing, not H.264, ...); see cause. */
  | 'encoder-failed';

export class WhipError extends Error {
  override readonly name = 'WhipError';
  constructor(
    readonly code: WhipErrorCode,
    message: string,
    /** The HTTP status, when the endpoint answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
