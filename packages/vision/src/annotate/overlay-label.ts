import { drawLabel, measureLabel, type TextSize } from './draw-text.js';
import { contrastingTextColor } from './palette.js';
import type { PixelBox, RasterImage, Rgb } from './raster-image.js';
import type { OverlayStyle } from './overlay-style.js';

/** A label waiting to be drawn: labels go on last so no box or zone hides their text. */
export interface OverlayLabel {
  text: string;
  /** Desired top-left corner; moved inside the image when it would stick out. */
  x: number;
  y: number;
  color: Rgb;
}

export function overlayLabelSize(text: string, style: OverlayStyle): TextSize {
  return measureLabel(text, { scale: style.fontScale, padding: style.fontScale * 2 });
}

export function drawOverlayLabel(image: RasterImage, label: OverlayLabel, style: OverlayStyle): PixelBox {
  const size = overlayLabelSize(label.text, style);
  const x = clamp(Math.round(label.x), 0, image.width - size.width);
  const y = clamp(Math.round(label.y), 0, image.height - size.height);
  return drawLabel(image, label.text, x, y, {
    textColor: contrastingTextColor(label.color),
    background: label.color,
    backgroundAlpha: style.labelAlpha,
    scale: style.fontScale,
    padding: style.fontScale * 2,
  });
}

/** Clamp into [min, max], preferring min when the range is empty (a label wider than the image starts at 0). */
function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(v, max));
}
