import { z } from 'zod';

/**
 * Output decoders Sightline knows. Each describes a tensor layout, not a training framework:
 * - yolox: [1, N, 5+C] grid rows (x, y, w, h, obj, classes) over strides 8/16/32, box decode outside the graph.
 * - yolov8: [1, 4+C, N] channel-first, boxes already decoded to input pixels, no objectness (YOLOv8/YOLO11).
 * - fastestdet: [1, 5+C, H, W] single grid, boxes as fractions of the image.
 */
export const ModelFamilySchema = z.enum(['yolox', 'yolov8', 'fastestdet']);
export type ModelFamily = z.infer<typeof ModelFamilySchema>;

export const ModelInputSchema = z.object({
  name: z.string().min(1),
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
  layout: z.enum(['nchw', 'nhwc']).default('nchw'),
  channelOrder: z.enum(['rgb', 'bgr']),
  /** Each pixel value v (0-255) becomes (v * scale - mean[c]) / std[c]. */
  scale: z.number().positive().default(1),
  mean: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([1, 1, 1]),
  resize: z.enum(['letterbox', 'stretch']),
  /** Where a letterboxed image sits inside the input: top-left (YOLOX) or centred (Ultralytics). */
  letterboxAlign: z.enum(['top-left', 'center']).default('top-left'),
  /**
   * The resampling filter that matches how the model was trained (ffmpeg's names); the frame source's default
   * (area) when absent. Box accuracy of small models depends on it.
   */
  interpolation: z.enum(['area', 'bilinear', 'fast_bilinear', 'bicubic', 'lanczos', 'neighbor']).optional(),
  /** Padding value, 0-255 before scaling. */
  padValue: z.number().int().min(0).max(255).default(114),
});
export type ModelInput = z.infer<typeof ModelInputSchema>;

export const ModelManifestSchema = z
  .object({
    name: z.string().min(1).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, dot, dash, underscore'),
    version: z.string().default('1'),
    description: z.string().optional(),
    license: z.string().optional(),
    family: ModelFamilySchema,
    /** The ONNX file, relative to the manifest. */
    file: z.string().default('model.onnx'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256')
      .optional(),
    /**
     * Other files known to hold the same network with the same pre- and post-processing (re-exports, mirrors).
     * Used only to recognise a bare .onnx file; downloads are always checked against `sha256`.
     */
    equivalentSha256: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256')).default([]),
    input: ModelInputSchema,
    /** Output tensor name; the first output when absent. */
    output: z.string().optional(),
    /** YOLOX grid strides, in the order the rows appear. */
    strides: z.array(z.number().int().positive()).default([8, 16, 32]),
    labels: z.array(z.string().min(1)).min(1),
    /** Default score threshold; per-class thresholds override it. */
    scoreThreshold: z.number().min(0).max(1).default(0.3),
    classThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
    nmsIou: z.number().min(0).max(1).default(0.45),
    /** Official download address, for catalogue entries. Weights are never stored in the repository. */
    url: z.string().url().optional(),
    sizeBytes: z.number().int().positive().optional(),
  })
  .superRefine((m, ctx) => {
    for (const name of Object.keys(m.classThresholds)) {
      if (!m.labels.includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['classThresholds', name], message: `unknown class "${name}"` });
      }
    }
  });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelManifestInput = z.input<typeof ModelManifestSchema>;
