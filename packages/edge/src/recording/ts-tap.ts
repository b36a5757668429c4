import type { Readable } from 'node:stream';

/**
 * A live MPEG-TS (H.264 video) tap on a camera. Each open() returns a fresh stream that begins with PAT/PMT and a
 * keyframe (from a short in-memory prebuffer, up to a few seconds in the past), with PTS continuing monotonically
 * across the camera's reconnects. `CameraFeed.tap()` of @sightline/media is one; for a camera with privacy masks or
 * blurring, record the tap of the picture that may leave the edge (`new TsTap(privacyTranscoder)`), never the raw feed.
 */
export interface TsTap {
  open(): Readable;
  /** Wall-clock ms of a PTS (90 kHz units, unwrapped, as the stream carries them, ffmpeg reads it with -copyts). */
  wallClockOf(pts90k: number): number;
}
