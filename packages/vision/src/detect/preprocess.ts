import type { ModelInput } from '@sightline/protocol';
import { DetectorError } from './errors.js';

export interface PixelBuffer {
  /** Packed 8-bit pixels, 3 bytes per pixel. */
  data: Uint8Array;
  width: number;
  height: number;
  pixelFormat: 'rgb24' | 'bgr24';
}

/** Number of floats in the model's input tensor. */
export function inputTensorLength(input: ModelInput): number {
  return input.width * input.height * 3;
}

/** The input tensor dims for the manifest's layout. */
export function inputTensorDims(input: ModelInput): [number, number, number, number] {
  return input.layout === 'nchw' ? [1, 3, input.height, input.width] : [1, input.height, input.width, 3];
}

/**
 * Packed 8-bit pixels to the model's float tensor: channel order, (v * scale - mean) / std, NCHW or NHWC.
 * Writes into `out` (allocated when absent) so a worker can reuse one tensor for every frame.
 */
export function preprocessPixels(pixels: PixelBuffer, input: ModelInput, out?: Float32Array): Float32Array {
  const { width, height } = input;
  if (pixels.width !== width || pixels.height !== height) {
    throw new DetectorError(
      'frame-mismatch',
      `frame is ${pixels.width}x${pixels.height} but the model needs ${width}x${height}`,
    );
  }
  const plane = width * height;
  if (pixels.data.length < plane * 3) {
    throw new DetectorError('frame-mismatch', `frame buffer holds ${pixels.data.length} bytes, expected ${plane * 3}`);
  }
  const tensor = out ?? new Float32Array(plane * 3);
  if (tensor.length !== plane * 3) throw new RangeError(`tensor length ${tensor.length}, expected ${plane * 3}`);

  // Output channel k reads source byte offset src[k]: identity when the orders agree, swapped otherwise.
  const sourceIsRgb = pixels.pixelFormat === 'rgb24';
  const wantRgb = input.channelOrder === 'rgb';
  const s0 = sourceIsRgb === wantRgb ? 0 : 2;
  const s2 = 2 - s0;
  // v * scale / std - mean / std, folded into one multiply-add per value.
  const a0 = input.scale / input.std[0];
  const a1 = input.scale / input.std[1];
  const a2 = input.scale / input.std[2];
  const b0 = -input.mean[0] / input.std[0];
  const b1 = -input.mean[1] / input.std[1];
  const b2 = -input.mean[2] / input.std[2];
  const src = pixels.data;

  if (input.layout === 'nchw') {
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      tensor[i] = src[p + s0]! * a0 + b0;
      tensor[plane + i] = src[p + 1]! * a1 + b1;
      tensor[2 * plane + i] = src[p + s2]! * a2 + b2;
    }
  } else {
    for (let p = 0; p < plane * 3; p += 3) {
      tensor[p] = src[p + s0]! * a0 + b0;
      tensor[p + 1] = src[p + 1]! * a1 + b1;
      tensor[p + 2] = src[p + s2]! * a2 + b2;
    }
  }
  return tensor;
}
