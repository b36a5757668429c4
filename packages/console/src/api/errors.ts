import { isSightlineApiError } from '@sightline/sdk';

/** True for failures that mean "the hub cannot be reached", as opposed to the hub saying no. */
export function isConnectionError(err: unknown): boolean {
  if (!isSightlineApiError(err)) return false;
  return err.code === 'unreachable' || err.code === 'timeout' || err.status === 502 || err.status === 503 || err.status === 504;
}

export function isUnauthorized(err: unknown): boolean {
  return isSightlineApiError(err) && err.status === 401;
}

/** A sentence for people: the hub's own message when it gave one. */
export function errorMessage(err: unknown): string {
  if (isSightlineApiError(err)) {
    if (err.code === 'unreachable') return 'The hub cannot be reached.';
    if (err.code === 'timeout') return 'The hub did not answer in time.';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The request field an error is about (e.g. `source`, `analytics.zones[0].polygon`), when the hub named one. */
export function errorField(err: unknown): string | undefined {
  return isSightlineApiError(err) ? err.field : undefined;
}
