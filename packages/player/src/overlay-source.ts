import type { LiveOverlayFrame } from '@sightline/protocol';

/** Where the renderer gets the overlay for a picture: an OverlayFeed, or anything else that can answer. */
export interface OverlaySource {
  /** The overlay frame to draw over the picture with this RTP timestamp, or undefined to draw no objects. */
  frameFor(rtpTimestamp: number): LiveOverlayFrame | undefined;
}
