/**
 * Codes the client itself produces; any other code comes from the hub's error body (for example `not_found`,
 * `unauthorized`, `validation_failed`).
 */
export type ClientErrorCode = 'unreachable' | 'timeout' | 'aborted' | 'bad_response';

export interface SightlineApiErrorDetails {
  /** HTTP status, or null when no response arrived (unreachable, timeout, aborted). */
  status: number | null;
  /** The request field the hub rejected, when it names one. */
  field?: string;
  method: string;
  url: string;
  cause?: unknown;
}

/** Every failure of a hub call: an error answer from the hub, or a problem reaching or understanding it. */
export class SightlineApiError extends Error {
  override readonly name = 'SightlineApiError';
  readonly status: number | null;
  readonly field: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(
    readonly code: ClientErrorCode | (string & {}),
    message: string,
    details: SightlineApiErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.field = details.field;
    this.method = details.method;
    this.url = details.url;
  }
}

export function isSightlineApiError(err: unknown, code?: string): err is SightlineApiError {
  return err instanceof SightlineApiError && (code === undefined || err.code === code);
}
