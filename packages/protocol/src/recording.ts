import { z } from 'zod';
import { ResourceIdSchema } from './resource-id.js';

/**
 * Per camera: what the edge records. `continuous` keeps everything; `events` keeps `preRollSeconds` before the first
 * event and `postRollSeconds` after the last one of a burst (overlapping windows merge). Privacy masks and blurring
 * apply to recordings as to live video: the edge records the picture it would publish.
 */
export const RecordingConfigSchema = z
  .object({
    mode: z.enum(['off', 'continuous', 'events']).default('off'),
    preRollSeconds: z.number().min(0).max(60).default(5),
    postRollSeconds: z.number().min(0).max(600).default(10),
    /** How long the hub keeps this camera's recordings; the hub's size budget may delete older ones first. */
    retainDays: z.number().positive().max(3650).default(7),
  })
  .strict();
export type RecordingConfig = z.infer<typeof RecordingConfigSchema>;

/**
 * A recorded piece of one camera's video: a self-contained fragmented MP4 (its own init segment, starting on a
 * keyframe) of about 2–6 s. The edge uploads it with `PUT /recordings/segments/{id}` (body: the mp4 bytes, headers
 * below as query parameters), authenticated as the device; uploading the same id again is harmless.
 */
export const RecordingSegmentUploadSchema = z.object({
  /** UUIDv7 chosen by the edge: the idempotency key. */
  id: z.string().uuid(),
  cameraId: ResourceIdSchema,
  /** Wall-clock time (ms since the epoch) of the first frame. */
  startedAt: z.coerce.number().int().nonnegative(),
  durationMs: z.coerce.number().int().positive().max(600_000),
});
export type RecordingSegmentUpload = z.infer<typeof RecordingSegmentUploadSchema>;

/** The largest segment the hub accepts; the edge drops (and counts) anything bigger rather than retrying it for ever. */
export const RECORDING_SEGMENT_MAX_BYTES = 64 * 1024 * 1024;
