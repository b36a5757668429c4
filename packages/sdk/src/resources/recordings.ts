import {
  RecordingListSchema,
  RecordingTokenSchema,
  type RecordingList,
  type RecordingToken,
} from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

/** A time as the hub takes it: Unix ms, a Date, or ISO-8601 text. */
export type RecordingTime = number | Date | string;

export interface RecordingListOptions {
  from: RecordingTime;
  to: RecordingTime;
  /** Most segments listed (1–10000, default 1000); ranges and gaps always cover the whole query. */
  limit?: number;
}

export interface ClipRange {
  from: RecordingTime;
  to: RecordingTime;
}

export interface ClipUrlOptions {
  /** A recordings token (from `token`) for players that cannot send headers; put in the URL as `access_token`. */
  accessToken?: string;
  /** Ask for Content-Disposition: attachment (a download) rather than inline. */
  download?: boolean;
}

/**
 * Recorded video: listings, clip URLs for <video> elements (with a short-lived recordings token in the URL), and clip
 * bytes. Segments are uploaded by edge devices with their own credentials, not through this client.
 */
export class RecordingsResource {
  constructor(private readonly transport: Transport) {}

  /** A camera's segments, recorded ranges and gaps in [from, to) (at most 24 h). */
  list(cameraId: string, query: RecordingListOptions, options?: RequestOptions): Promise<RecordingList> {
    return this.transport.json({ method: 'GET', path: `${cameraPath(cameraId)}/recordings`, query, ...options }, RecordingListSchema);
  }

  /** A short-lived token that opens this camera's clips (and nothing else) from a URL. */
  token(cameraId: string, options?: RequestOptions): Promise<RecordingToken> {
    return this.transport.json({ method: 'POST', path: `${cameraPath(cameraId)}/recordings-token`, ...options }, RecordingTokenSchema);
  }

  /** The URL of one MP4 of [from, to) (at most 6 h), for a <video src> or a download link. */
  clipUrl(cameraId: string, range: ClipRange, options: ClipUrlOptions = {}): string {
    return this.transport.url(`${cameraPath(cameraId)}/recordings/clip.mp4`, {
      from: range.from,
      to: range.to,
      download: options.download,
      access_token: options.accessToken,
    });
  }

  /** The URL of an event's moment: from the camera's pre-roll before the event to its post-roll after. */
  eventClipUrl(eventId: string, options: ClipUrlOptions = {}): string {
    return this.transport.url(`/events/${encodeURIComponent(eventId)}/clip.mp4`, { download: options.download, access_token: options.accessToken });
  }

  /** The clip's bytes (the whole MP4 in memory: for short ranges and scripts; players should use `clipUrl`). */
  clip(cameraId: string, range: ClipRange, options?: RequestOptions): Promise<Uint8Array> {
    return this.transport.bytes({ method: 'GET', path: `${cameraPath(cameraId)}/recordings/clip.mp4`, query: { from: range.from, to: range.to }, ...options }, 'video/mp4');
  }

  /** The bytes of an event's clip. */
  eventClip(eventId: string, options?: RequestOptions): Promise<Uint8Array> {
    return this.transport.bytes({ method: 'GET', path: `/events/${encodeURIComponent(eventId)}/clip.mp4`, ...options }, 'video/mp4');
  }
}

function cameraPath(id: string): string {
  return `/cameras/${encodeURIComponent(id)}`;
}
