import type { ModelFamily, ModelManifest } from '@sightline/protocol';
import type { CandidateBoxes } from './candidates.js';
import { decodeFastestdet } from './decode-fastestdet.js';
import type { DecodeParams, OutputTensor } from './decode-types.js';
import { decodeYolov8 } from './decode-yolov8.js';
import { decodeYolox } from './decode-yolox.js';

export type { DecodeParams, OutputTensor } from './decode-types.js';
export { decodeFastestdet, decodeYolov8, decodeYolox };

/** Decode any supported family's output into candidates in model-input pixels. */
export function decodeOutput(family: ModelFamily, output: OutputTensor, p: DecodeParams, out: CandidateBoxes): void {
  switch (family) {
    case 'yolox':
      return decodeYolox(output, p, out);
    case 'yolov8':
      return decodeYolov8(output, p, out);
    case 'fastestdet':
      return decodeFastestdet(output, p, out);
  }
}

/**
 * Why an output shape cannot be decoded as the manifest's family, or undefined when it fits.
 * Dynamic dimensions (strings, -1) pass; they are checked again on the real tensor.
 */
export function outputShapeProblem(manifest: ModelManifest, shape: readonly (number | string)[]): string | undefined {
  const numClasses = manifest.labels.length;
  const dim = (i: number): number | undefined => {
    const d = shape[i];
    return typeof d === 'number' && d >= 0 ? d : undefined;
  };
  const expectDim = (i: number, want: number, what: string): string | undefined => {
    const got = dim(i);
    return got !== undefined && got !== want ? `dimension ${i} (${what}) is ${got}, expected ${want}` : undefined;
  };
  const { width, height } = manifest.input;
  switch (manifest.family) {
    case 'yolox': {
      if (shape.length !== 3) return `expected rank 3 [1, N, 5+C], got [${shape.join(', ')}]`;
      const rows = manifest.strides.reduce((n, s) => n + Math.floor(width / s) * Math.floor(height / s), 0);
      return expectDim(2, 5 + numClasses, `5 + ${numClasses} labels`) ?? expectDim(1, rows, `grid cells over strides ${manifest.strides.join('/')}`);
    }
    case 'yolov8':
      if (shape.length !== 3) return `expected rank 3 [1, 4+C, N], got [${shape.join(', ')}]`;
      return expectDim(1, 4 + numClasses, `4 + ${numClasses} labels`);
    case 'fastestdet':
      if (shape.length !== 4) return `expected rank 4 [1, 5+C, H, W], got [${shape.join(', ')}]`;
      return expectDim(1, 5 + numClasses, `5 + ${numClasses} labels`);
  }
}
