import { z } from 'zod';
import { BoxSchema } from './geometry.js';
import { ResourceIdSchema } from './resource-id.js';

/** One object drawn over live video: a detection, with its track id once the tracker has confirmed it. */
export const OverlayObjectSchema = z.object({
  classId: z.number().int().nonnegative(),
  label: z.string().max(100),
  score: z.number().min(0).max(1),
  /** x1, y1, x2, y2 in pixels of the source frame (`width` × `height` of the overlay frame). */
  box: BoxSchema,
  trackId: z.number().int().positive().optional(),
});
export type OverlayObject = z.infer<typeof OverlayObjectSchema>;

/**
 * What the analysis saw on one frame of a camera that is being watched live. It is keyed by the frame's RTP
 * timestamp (90 kHz, the same number a browser reads from requestVideoFrameCallback's `rtpTimestamp`), so a player
 * draws it on exactly the picture it was computed from. Frames that were not analysed have no overlay frame: a
 * player keeps the newest one at or before the picture on screen.
 *
 * Sent edge → hub on the device's `live/overlay` topic (QoS 0) while the camera is published, and hub → browser on
 * `GET /cameras/{id}/live/overlay` (server-sent events named `overlay`).
 */
export const LiveOverlayFrameSchema = z.object({
  cameraId: ResourceIdSchema,
  /** RTP timestamp (unsigned 32-bit, 90 kHz clock) of the analysed video frame. */
  rtpTimestamp: z.number().int().min(0).max(0xffffffff),
  /** Wall-clock time (ms since the epoch) the frame entered the edge. */
  capturedAt: z.number().int().nonnegative(),
  /** The source frame's size, which `box` coordinates refer to. */
  width: z.number().int().positive().max(16384),
  height: z.number().int().positive().max(16384),
  objects: z.array(OverlayObjectSchema).max(500),
});
export type LiveOverlayFrame = z.infer<typeof LiveOverlayFrameSchema>;
