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
