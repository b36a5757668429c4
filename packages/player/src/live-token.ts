import { cameraLiveUrls } from './hub-urls.js';
import type { TokenProvider } from './whep-connection.js';

export interface LiveTokenOptions {
  hubUrl: string;
  cameraId: string;
  /** The caller's own credential (a sign-in session or an API key with the read scope). */
  credential: TokenProvider;
  /** A token is renewed when it has less than this left. Default 30 s. */
  renewBeforeMs?: number;
}

/**
 * A token provider for LivePlayer that trades the caller's credential for the camera's short-lived view token
 * (`POST /api/v1/cameras/:id/live-token`) and reuses it until it is about to expire, so that the credential itself
 * never goes into a URL (the overlay stream can only carry its token in the query).
 */
export function liveTokenProvider(options: LiveTokenOptions): () => Promise<string> {
  const renewBeforeMs = options.renewBeforeMs ?? 30_000;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const response = await fetch(cameraLiveUrls(options.hubUrl, options.cameraId).liveToken, {
      method: 'POST',
      headers: { authorization: `Bearer ${await options.credential()}` },
    });
    if (!response.ok) throw new Error(`live-token answered ${response.status}`);
    const body = (await response.json()) as { token?: unknown; expiresAt?: unknown };
    if (typeof body.token !== 'string' || typeof body.expiresAt !== 'number') throw new Error('live-token answered without a token');
    cached = { token: body.token, expiresAt: body.expiresAt };
    return body.token;
  };
  return () => {
    if (cached && cached.expiresAt - Date.now() > renewBeforeMs) return Promise.resolve(cached.token);
    // Concurrent callers (WHEP and the overlay stream start together) share one request.
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
}
