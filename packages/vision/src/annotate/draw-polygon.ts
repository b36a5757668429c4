import { drawLine } from './draw-line.js';
import { alphaWeight, colorBytes, paintSpan, type PixelPoint, type RasterImage, type Rgb } from './raster-image.js';

/** Outline a closed polygon with segments `thickness` pixels wide. */
export function strokePolygon(image: RasterImage, points: readonly PixelPoint[], color: Rgb, thickness = 1): void {
  if (points.length < 2) return;
  for (let i = 0; i < points.length; i++) {
    drawLine(image, points[i]!, points[(i + 1) % points.length]!, color, thickness);
  }
}

/**
 * Fill a polygon (even–odd rule) by scanlines: a pixel is inside when its centre is. `alpha` below 1 blends over
 * the picture, which is how zones stay see-through. Rows and spans are clipped to the image.
 */
export function fillPolygon(image: RasterImage, points: readonly PixelPoint[], color: Rgb, alpha = 1): void {
  const weight = alphaWeight(alpha);
  const n = points.length;
  if (weight === 0 || n < 3) return;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const bytes = colorBytes(image, color);
  const crossings = new Float64Array(n);
  const rowStart = Math.max(0, Math.floor(minY));
  const rowEnd = Math.min(image.height - 1, Math.ceil(maxY));
  for (let y = rowStart; y <= rowEnd; y++) {
    const yc = y + 0.5;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const [xa, ya] = points[i]!;
      const [xb, yb] = points[(i + 1) % n]!;
      // Half-open in y so a vertex shared by two edges is counted once.
      if ((ya <= yc && yc < yb) || (yb <= yc && yc < ya)) {
        crossings[count++] = edgeCrossing(xa, ya, xb, yb, yc);
      }
    }
    const row = crossings.subarray(0, count).sort();
    for (let k = 0; k + 1 < count; k += 2) {
      const x0 = clampColumn(Math.ceil(row[k]! - 0.5), image.width);
      const x1 = clampColumn(Math.ceil(row[k + 1]! - 0.5), image.width);
      if (x1 > x0) paintSpan(image, y, x0, x1, bytes, weight);
    }
  }
}

/**
 * Where the edge (xa, ya)–(xb, yb) crosses row centre yc. Weighted so no intermediate overflows, and kept
 * between the edge's ends, which rounding could otherwise leave when coordinates are astronomically large.
 */
function edgeCrossing(xa: number, ya: number, xb: number, yb: number, yc: number): number {
  const t = (yc - ya) / (yb - ya);
  const x = xa * (1 - t) + xb * t;
  return Math.min(Math.max(x, Math.min(xa, xb)), Math.max(xa, xb));
}

function clampColumn(x: number, width: number): number {
  if (!(x > 0)) return 0;
  return x > width ? width : x;
}
