import { z } from 'zod';
import { BoxSchema } from './geometry.js';

/** One detector output after NMS, in source-frame pixels. */
export const DetectionSchema = z.object({
  classId: z.number().int().nonnegative(),
  label: z.string(),
  score: z.number().min(0).max(1),
  box: BoxSchema,
});
export type Detection = z.infer<typeof DetectionSchema>;

export const TrackStateSchema = z.enum(['tentative', 'confirmed', 'lost', 'removed']);
export type TrackState = z.infer<typeof TrackStateSchema>;

/** A tracked object as seen on one frame, in source-frame pixels. */
export const TrackSchema = DetectionSchema.extend({
  trackId: z.number().int().positive(),
  state: TrackStateSchema,
  /** Frames since the track was first seen. */
  age: z.number().int().nonnegative(),
});
export type Track = z.infer<typeof TrackSchema>;

/** What one analysed frame produced; the unit the live overlay and `detect` speak in. */
export const FrameResultSchema = z.object({
  cameraId: z.string(),
  frameIndex: z.number().int().nonnegative(),
  /** Presentation timestamp of the frame in seconds from the start of the source. */
  pts: z.number(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  detections: z.array(DetectionSchema),
  tracks: z.array(TrackSchema),
});
export type FrameResult = z.infer<typeof FrameResultSchema>;
