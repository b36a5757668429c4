import { z } from 'zod';
import { AnalyticsConfigSchema } from './analytics-config.js';
import { NormalizedPointSchema } from './geometry.js';
import { ResourceIdSchema } from './resource-id.js';
import { RecordingConfigSchema } from './recording.js';

/**
 * What must never leave the edge: polygons blacked out, and optionally faces or persons pixelated, in every picture
 * the edge sends (live video, HLS, recordings). Analysis still sees the whole frame.
 */
export const PrivacyConfigSchema = z
  .object({
    masks: z
      .array(
        z
          .object({
            id: z.string().min(1).max(100),
            polygon: z.array(NormalizedPointSchema).min(3, 'a mask needs at least 3 points').max(100),
          })
          .strict(),
      )
      .max(32)
      .default([]),
    /**
     * Pixelate detected faces or whole persons in every picture that leaves the edge. It fails closed: while the
     * detector has no fresh answer the whole picture is pixelated.
     */
    blur: z.enum(['none', 'faces', 'persons']).default('none'),
    /** The face detector for `blur: faces`: a catalogue name or a model package path on the edge. */
    faceModel: z.string().min(1).max(512).default('yunet-s-320'),
  })
  .strict();
export type PrivacyConfig = z.infer<typeof PrivacyConfigSchema>;

/** How a camera is analysed; what an operator edits in the hub and the edge applies live. */
export const CameraConfigSchema = z
  .object({
    id: ResourceIdSchema,
    name: z.string().max(200).optional(),
    /** File path, rtsp://, http(s)://, .m3u8, /dev/videoN or lavfi:<graph>, as the edge sees it. */
    source: z.string().min(1).max(2048),
    /** Model catalogue name or package path on the edge. */
    model: z.string().min(1).max(512).default('yolox-nano'),
    fps: z.number().positive().max(120).default(5),
    enabled: z.boolean().default(true),
    analytics: AnalyticsConfigSchema.default({ zones: [], lines: [] }),
    motion: z.boolean().optional(),
    privacy: PrivacyConfigSchema.optional(),
    recording: RecordingConfigSchema.optional(),
  })
  .strict();
export type CameraConfig = z.infer<typeof CameraConfigSchema>;
export type CameraConfigInput = z.input<typeof CameraConfigSchema>;

/** Everything one edge device runs, versioned by the hub; the edge reports which version it applied. */
export const DeviceConfigSchema = z.object({
  deviceId: ResourceIdSchema,
  version: z.number().int().nonnegative(),
  cameras: z.array(CameraConfigSchema),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

export const CameraRunStateSchema = z.enum(['connecting', 'running', 'reconnecting', 'error', 'stopped']);
export type CameraRunState = z.infer<typeof CameraRunStateSchema>;

export { ResourceIdSchema };
