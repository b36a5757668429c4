import type { RawPicture } from '@sightline/media';
import { fitGeometry, type Frame, type InputSpec } from '@sightline/vision';

/**
 * A decoded I420 picture as a detector input: converted to packed RGB or BGR (BT.601 limited range, what cameras and
 * x264 use) and resized into the model's input as its manifest says, each output pixel the mean of up to 3×3 samples
 * of its source area so that a 4× shrink does not alias small faces away.
 */
export function i420ToDetectorFrame(picture: RawPicture, spec: InputSpec, pixelFormat: 'rgb24' | 'bgr24'): Frame {
  const { width: sw, height: sh, data } = picture;
  const { width, height } = spec;
  const geometry = fitGeometry(sw, sh, width, height, spec.resize, spec.align);
  const out = Buffer.alloc(width * height * 3, spec.padValue);
  const cw = Math.ceil(sw / 2);
  const uBase = sw * sh;
  const vBase = uBase + cw * Math.ceil(sh / 2);
  const stepX = 1 / geometry.scaleX;
  const stepY = 1 / geometry.scaleY;
  const samples = Math.max(1, Math.min(3, Math.round(Math.max(stepX, stepY))));
  const scaledW = Math.min(width - geometry.padX, Math.round(sw * geometry.scaleX));
  const scaledH = Math.min(height - geometry.padY, Math.round(sh * geometry.scaleY));
  const [ri, bi] = pixelFormat === 'rgb24' ? [0, 2] : [2, 0];
  for (let oy = 0; oy < scaledH; oy++) {
    for (let ox = 0; ox < scaledW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < samples; j++) {
        const y = Math.min(sh - 1, Math.floor((oy + (j + 0.5) / samples) * stepY));
        for (let i = 0; i < samples; i++) {
          const x = Math.min(sw - 1, Math.floor((ox + (i + 0.5) / samples) * stepX));
          const c = 1.164 * (data[y * sw + x]! - 16);
          const chroma = (y >> 1) * cw + (x >> 1);
          const u = data[uBase + chroma]! - 128;
          const v = data[vBase + chroma]! - 128;
          r += c + 1.596 * v;
          g += c - 0.392 * u - 0.813 * v;
          b += c + 2.017 * u;
        }
      }
      const n = samples * samples;
      const o = ((oy + geometry.padY) * width + ox + geometry.padX) * 3;
      out[o + ri] = clampByte(r / n);
      out[o + 1] = clampByte(g / n);
      out[o + bi] = clampByte(b / n);
    }
  }
  return { index: 0, pts: picture.pts / 90_000, data: out, pixelFormat, width, height, sourceWidth: sw, sourceHeight: sh, geometry };
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
