/** The hub's addresses for one camera's live view (see the hub's live routes). */
export interface CameraLiveUrls {
  /** GET: the camera with its config (zones and lines in config.analytics). */
  camera: string;
  /** POST: a short-lived view token. */
  liveToken: string;
  /** POST an SDP offer (WHEP). */
  whep: string;
  /** GET: server-sent `overlay` events. */
  overlay: string;
}

export function cameraLiveUrls(hubUrl: string, cameraId: string): CameraLiveUrls {
  const base = `${hubUrl.replace(/\/+$/, '')}/api/v1/cameras/${encodeURIComponent(cameraId)}`;
  return { camera: base, liveToken: `${base}/live-token`, whep: `${base}/whep`, overlay: `${base}/live/overlay` };
}

/** The hub's addresses for one cloud-streaming session (see the hub's session routes). */
export interface StreamSessionUrls {
  /** GET: the session; DELETE: end it. */
  session: string;
  /** GET: server-sent `session` events, the session at once and on every change. */
  state: string;
  /** POST an SDP offer (WHEP): the player (with the owner's credential) or a spectator (with a spectate token). */
  whep: string;
  /** POST: a spectate token (owner or admin). */
  spectateToken: string;
}

export function streamSessionUrls(hubUrl: string, sessionId: string): StreamSessionUrls {
  const base = `${hubUrl.replace(/\/+$/, '')}/api/v1/sessions/${encodeURIComponent(sessionId)}`;
  return { session: base, state: `${base}/state`, whep: `${base}/whep`, spectateToken: `${base}/spectate-token` };
}
