import type { ModelManifest } from '@sightline/protocol';

/** What the frame source must deliver for a model: size, fit, alignment, padding and pixel format. */
export interface InputSpec {
  width: number;
  height: number;
  resize: 'letterbox' | 'stretch';
  align: 'top-left' | 'center';
  /** Letterbox padding value (0-255), the same on every channel. */
  padValue: number;
  /** The format that needs no channel swap; the other one works too, at a small cost. */
  pixelFormat: 'rgb24' | 'bgr24';
  /** ffmpeg scaler to resize with, when the manifest names one. */
  scaler?: 'area' | 'bilinear' | 'fast_bilinear' | 'bicubic' | 'lanczos' | 'neighbor';
}

export function inputSpecFromManifest(manifest: ModelManifest): InputSpec {
  const input = manifest.input;
  return {
    width: input.width,
    height: input.height,
    resize: input.resize,
    align: input.letterboxAlign,
    padValue: input.padValue,
    pixelFormat: input.channelOrder === 'rgb' ? 'rgb24' : 'bgr24',
    ...(input.interpolation ? { scaler: input.interpolation } : {}),
  };
}
