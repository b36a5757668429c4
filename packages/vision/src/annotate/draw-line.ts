import { fillRect } from './draw-rect.js';
import { colorBytes, paintSpan, type PixelPoint, type RasterImage, type Rgb } from './raster-image.js';

/**
 * Draw a segment with Bresenham's algorithm and a square brush `thickness` pixels wide centred on each step
 * (for even widths the extra pixel falls right/below). The segment is clipped to the image first, so
 * far-away or huge coordinates cost nothing and never index outside the buffer.
 */
export function drawLine(image: RasterImage, from: PixelPoint, to: PixelPoint, color: Rgb, thickness = 1): void {
  const t = Math.max(1, Math.round(thickness));
  const before = Math.floor((t - 1) / 2);
  // Clip against the image grown by the brush so a brush centred just outside still paints its inner edge.
  const clipped = clipSegment(from, to, -t, -t, image.width - 1 + t, image.height - 1 + t);
  if (!clipped) return;
  let x = Math.round(clipped[0]);
  let y = Math.round(clipped[1]);
  const xEnd = Math.round(clipped[2]);
  const yEnd = Math.round(clipped[3]);
  const dx = Math.abs(xEnd - x);
  const dy = -Math.abs(yEnd - y);
  const sx = x < xEnd ? 1 : -1;
  const sy = y < yEnd ? 1 : -1;
  let err = dx + dy;
  const bytes = colorBytes(image, color);
  while (true) {
    if (t === 1) {
      if (x >= 0 && y >= 0 && x < image.width && y < image.height) paintSpan(image, y, x, x + 1, bytes, 256);
    } else {
      fillRect(image, [x - before, y - before, x - before + t, y - before + t], color);
    }
    if (x === xEnd && y === yEnd) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/**
 * Liang–Barsky: the part of segment from→to inside [xMin, xMax] × [yMin, yMax] as [x0, y0, x1, y1], or null when
 * none of it is (or a coordinate is not finite).
 */
export function clipSegment(
  from: PixelPoint,
  to: PixelPoint,
  xMin: number,
  yMin: number,
  xMax: number,
  yMax: number,
): [number, number, number, number] | null {
  const [x0, y0] = from;
  const [x1, y1] = to;
  if (![x0, y0, x1, y1].every(Number.isFinite)) return null;
  const dx = x1 - x0;
  const dy = y1 - y0;
  let tEnter = 0;
  let tExit = 1;
  const edges: [number, number][] = [
    [-dx, x0 - xMin],
    [dx, xMax - x0],
    [-dy, y0 - yMin],
    [dy, yMax - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const r = q / p;
    if (p < 0) {
      if (r > tExit) return null;
      if (r > tEnter) tEnter = r;
    } else {
      if (r < tEnter) return null;
      if (r < tExit) tExit = r;
    }
  }
  // Interpolate from the nearer end: with huge coordinates x0 + 1·dx cancels to garbage instead of giving x1.
  const within = (v: number, a: number, b: number) => Math.min(Math.max(v, Math.min(a, b)), Math.max(a, b));
  const at = (t: number): [number, number] =>
    t <= 0.5
      ? [within(x0 + t * dx, x0, x1), within(y0 + t * dy, y0, y1)]
      : [within(x1 - (1 - t) * dx, x0, x1), within(y1 - (1 - t) * dy, y0, y1)];
  const clipped: [number, number, number, number] = [...at(tEnter), ...at(tExit)];
  // Coordinates near the float limit can overflow dx/dy; treat such a segment as undrawable.
  return clipped.every(Number.isFinite) ? clipped : null;
}
