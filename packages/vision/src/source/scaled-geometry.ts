import { fitGeometry, type FrameGeometry } from '../frame.js';

/** a·b/c rounded to nearest with halves up, in integers: ffmpeg's av_rescale for positive values. */
function rescale(a: number, b: number, c: number): number {
  return Math.floor((a * b + Math.floor(c / 2)) / c);
}

/**
 * The geometry ffmpeg's `scale=W:H:force_original_aspect_ratio=decrease` + `pad` chain really
 * produces. fitGeometry rounds in floating point and, when the scaled side lands exactly on a half
 * pixel (e.g. 150x1920 into 352x352: 27.5), can round the other way than ffmpeg's integer
 * arithmetic, leaving geometry one pixel off the buffer. Stretching needs no rounding.
 */
export function scaledFrameGeometry(
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
  resize: 'letterbox' | 'stretch',
  align: 'top-left' | 'center',
): FrameGeometry {
  if (resize === 'stretch') return fitGeometry(sourceWidth, sourceHeight, width, height, 'stretch');
  const scaledW = Math.max(1, Math.min(width, rescale(height, sourceWidth, sourceHeight)));
  const scaledH = Math.max(1, Math.min(height, rescale(width, sourceHeight, sourceWidth)));
  const padX = align === 'center' ? Math.floor((width - scaledW) / 2) : 0;
  const padY = align === 'center' ? Math.floor((height - scaledH) / 2) : 0;
  return { scaleX: scaledW / sourceWidth, scaleY: scaledH / sourceHeight, padX, padY };
}
