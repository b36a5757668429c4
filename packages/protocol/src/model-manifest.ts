import { z } from 'zod';

/**
 * Output decoders Sightline knows. Each describes a tensor layout, not a training framework:
 * - yolox: [1, N, 5+C] grid rows (x, y, w, h, obj, classes) over strides 8/16/32, box decode outside the graph.
 * - yolov8: [1, 4+C, N] channel-first, boxes already decoded to input pixels, no objectness (YOLOv8/YOLO11).
 * - fastestdet: [1, 5+C, H, W] single grid, boxes as fractions of the image.
 * - ultraface: two outputs, scores [1, N, 1+C] (softmax, column 0 is background) and boxes [1, N, 4] (x1, y1, x2, y2
 *   as fractions of the input), priors already decoded in the graph (Ultra-Light-Fast-Generic-Face-Detector-1MB).
 * - yunet: per stride S three outputs cls_S [1, N, C], obj_S [1, N, 1] and bbox_S [1, N, 4] over a row-major
 *   grid, box decode outside the graph (YuNet / libfacedetection).
 */
export const ModelFamilySchema = z.enum(['yolox', 'yolov8', 'fastestdet', 'ultraface', 'yunet']);
export type ModelFamily = z.infer<typeof ModelFamilySchema>;

/** The role of the one output a single-output family reads, named by the manifest's `output`. */
export const SINGLE_OUTPUT_ROLE = 'output';

/** Whether a family reads several output tensors, named by role in the manifest's `outputs`. */
export function isMultiOutputFamily(family: ModelFamily): boolean {
  return family === 'ultraface' || family === 'yunet';
}

/**
 * The outputs a family reads, by role, in the order the official exports list them. Multi-output families need
 * every role; the manifest's `outputs` maps a role to a tensor name, and a role it leaves out reads the tensor of
 * the same name (which is what the official exports call them).
 */
export function modelOutputRoles(family: ModelFamily, strides: readonly number[]): string[] {
  switch (family) {
    case 'ultraface':
      return ['scores', 'boxes'];
    case 'yunet':
      // Landmarks (kps_S) are not read: a box is all blurring needs.
      return ['cls', 'obj', 'bbox'].flatMap((kind) => strides.map((s) => `${kind}_${s}`));
    default:
      return [SINGLE_OUTPUT_ROLE];
  }
}

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
    /** Output tensor name of a single-output family; the first output when absent. */
    output: z.string().optional(),
    /**
     * Output tensor names by role, for the families that read several outputs (see modelOutputRoles):
     * ultraface `scores`, `boxes`; yunet `cls_S`, `obj_S`, `bbox_S` for each stride S. A role left out reads the
     * output of the same name.
     */
    outputs: z.record(z.string(), z.string().min(1)).optional(),
    /** Grid strides: YOLOX rows in this order; YuNet's per-stride outputs. Other families ignore them. */
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
    checkOutputNames(m.family, m.strides, m.output, m.outputs, (path, message) =>
      ctx.addIssue({ code: 'custom', path, message }),
    );
  });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelManifestInput = z.input<typeof ModelManifestSchema>;

/**
 * `output` belongs to single-output families and `outputs` to multi-output ones, whose keys must be the family's
 * roles, each naming a different tensor. Mixing them up would otherwise be ignored silently and fail at load time.
 */
function checkOutputNames(
  family: ModelFamily,
  strides: readonly number[],
  output: string | undefined,
  outputs: Record<string, string> | undefined,
  issue: (path: (string | number)[], message: string) => void,
): void {
  if (!isMultiOutputFamily(family)) {
    if (outputs !== undefined) issue(['outputs'], `family ${family} reads one output: name it with "output"`);
    return;
  }
  if (output !== undefined) issue(['output'], `family ${family} reads several outputs: name them by role in "outputs"`);
  const roles = modelOutputRoles(family, strides);
  for (const role of Object.keys(outputs ?? {})) {
    if (!roles.includes(role)) {
      issue(['outputs', role], `family ${family} has no output role "${role}"; its roles are ${roles.join(', ')}`);
    }
  }
  const roleOf = new Map<string, string>();
  for (const role of roles) {
    const tensor = outputs?.[role] ?? role;
    const other = roleOf.get(tensor);
    if (other) issue(['outputs', role], `tensor "${tensor}" is already the ${other} output`);
    else roleOf.set(tensor, role);
  }
}
