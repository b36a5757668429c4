import { alphaWeight, colorBytes, paintSpan, type PixelBox, type RasterImage, type Rgb } from './raster-image.js';

/** Fill the pixels a box covers, clipped to the image; `alpha` below 1 blends over what is there. */
export function fillRect(image: RasterImage, box: PixelBox, color: Rgb, alpha = 1): void {
  const weight = alphaWeight(alpha);
  if (weight === 0 || box.some(Number.isNaN)) return;
  const x0 = clampEdge(box[0], image.width);
  const x1 = clampEdge(box[2], image.width);
  const y0 = clampEdge(box[1], image.height);
  const y1 = clampEdge(box[3], image.height);
  if (x0 >= x1 || y0 >= y1) return;
  const bytes = colorBytes(image, color);
  for (let y = y0; y < y1; y++) paintSpan(image, y, x0, x1, bytes, weight);
}

/**
 * Outline a box with bands `thickness` pixels wide drawn inside its edges, so the outline never grows the box;
 * a box thinner than two bands is filled.
 */
export function strokeRect(image: RasterImage, box: PixelBox, color: Rgb, thickness = 1): void {
  const t = Math.max(1, Math.round(thickness));
  const [x1, y1, x2, y2] = box.map(Math.round) as [number, number, number, number];
  if (!(x2 > x1 && y2 > y1)) return;
  if (x2 - x1 <= 2 * t || y2 - y1 <= 2 * t) {
    fillRect(image, [x1, y1, x2, y2], color);
    return;
  }
  fillRect(image, [x1, y1, x2, y1 + t], color);
  fillRect(image, [x1, y2 - t, x2, y2], color);
  fillRect(image, [x1, y1 + t, x1 + t, y2 - t], color);
  fillRect(image, [x2 - t, y1 + t, x2, y2 - t], color);
}

/** A box edge rounded to a pixel edge and clamped to 0..size; NaN clamps to 0 so the span comes out empty. */
function clampEdge(v: number, size: number): number {
  const e = Math.round(v);
  if (!(e > 0)) return 0;
  return e > size ? size : e;
}
