import { hub } from '../api/client.js';

/** Renew a view token this long before it expires. */
const RENEW_BEFORE_MS = 30_000;

/**
 * A token provider for the player: the camera's short-lived view token, fetched with the session cookie (the session
 * itself never goes into a URL) and shared by WHEP and the overlay stream until it nears expiry.
 */
export function viewTokenProvider(cameraId: string): () => Promise<string> {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return () => {
    if (cached && cached.expiresAt - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(cached.token);
    pending ??= hub.cameras
      .liveToken(cameraId)
      .then((t) => {
        cached = { token: t.token, expiresAt: t.expiresAt };
        return t.token;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
}
