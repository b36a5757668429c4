import { SINGLE_OUTPUT_ROLE, type ModelFamily, type ModelManifest } from '@sightline/protocol';
import type { CandidateBoxes } from './candidates.js';
import { decodeFastestdet } from './decode-fastestdet.js';
import type { DecodeParams, ModelOutputs, OutputShape, OutputTensor } from './decode-types.js';
import { decodeUltraface, ultrafaceShapeProblem } from './decode-ultraface.js';
import { decodeYolov8 } from './decode-yolov8.js';
import { decodeYolox } from './decode-yolox.js';
import { decodeYunet, yunetShapeProblem, type YunetLevel } from './decode-yunet.js';
import { dimProblem } from './output-shape.js';

export type { DecodeParams, ModelOutputs, OutputShape, OutputTensor } from './decode-types.js';
export type { YunetLevel } from './decode-yunet.js';
export { decodeFastestdet, decodeUltraface, decodeYolov8, decodeYolox, decodeYunet };

/** Decode any supported family's outputs (by role) into candidates in model-input pixels. */
export function decodeOutputs(family: ModelFamily, outputs: ModelOutputs, p: DecodeParams, out: CandidateBoxes): void {
  switch (family) {
    case 'yolox':
      return decodeYolox(role(outputs, SINGLE_OUTPUT_ROLE), p, out);
    case 'yolov8':
      return decodeYolov8(role(outputs, SINGLE_OUTPUT_ROLE), p, out);
    case 'fastestdet':
      return decodeFastestdet(role(outputs, SINGLE_OUTPUT_ROLE), p, out);
    case 'ultraface':
      return decodeUltraface(role(outputs, 'scores'), role(outputs, 'boxes'), p, out);
    case 'yunet': {
      const levels: YunetLevel[] = p.strides.map((stride) => ({
        stride,
        cls: role(outputs, `cls_${stride}`),
        obj: role(outputs, `obj_${stride}`),
        bbox: role(outputs, `bbox_${stride}`),
      }));
      return decodeYunet(levels, p, out);
    }
  }
}

/** Decode a single-output family's one tensor. */
export function decodeOutput(family: ModelFamily, output: OutputTensor, p: DecodeParams, out: CandidateBoxes): void {
  decodeOutputs(family, { [SINGLE_OUTPUT_ROLE]: output }, p, out);
}

function role(outputs: ModelOutputs, name: string): OutputTensor {
  const t = outputs[name];
  // The session resolves every role of the family before the first frame, so this is a programming error.
  if (!t) throw new Error(`model output for role "${name}" is missing`);
  return t;
}

/**
 * Why the output playing `role` cannot be decoded as the manifest's family, or undefined when it fits.
 * Dynamic dimensions (strings, -1) pass; the decoders bound every read by the real tensor's dims.
 */
export function outputShapeProblem(manifest: ModelManifest, shape: OutputShape, role: string = SINGLE_OUTPUT_ROLE): string | undefined {
  const numClasses = manifest.labels.length;
  const { width, height } = manifest.input;
  switch (manifest.family) {
    case 'yolox': {
      if (shape.length !== 3) return `expected rank 3 [1, N, 5+C], got [${shape.join(', ')}]`;
      const rows = manifest.strides.reduce((n, s) => n + Math.floor(width / s) * Math.floor(height / s), 0);
      return (
        dimProblem(shape, 2, 5 + numClasses, `5 + ${numClasses} labels`) ??
        dimProblem(shape, 1, rows, `grid cells over strides ${manifest.strides.join('/')}`)
      );
    }
    case 'yolov8':
      if (shape.length !== 3) return `expected rank 3 [1, 4+C, N], got [${shape.join(', ')}]`;
      return dimProblem(shape, 1, 4 + numClasses, `4 + ${numClasses} labels`);
    case 'fastestdet':
      if (shape.length !== 4) return `expected rank 4 [1, 5+C, H, W], got [${shape.join(', ')}]`;
      return dimProblem(shape, 1, 5 + numClasses, `5 + ${numClasses} labels`);
    case 'ultraface':
      return ultrafaceShapeProblem(role, shape, numClasses);
    case 'yunet':
      return yunetShapeProblem(role, shape, width, height, numClasses);
  }
}
