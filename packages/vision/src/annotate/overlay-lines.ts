import type { AnalyticsState, Line } from '@sightline/protocol';
import { drawLine } from './draw-line.js';
import { fillPolygon } from './draw-polygon.js';
import { fillRect } from './draw-rect.js';
import { normalizedToImage, type OverlayGeometry } from './overlay-geometry.js';
import { overlayLabelSize, type OverlayLabel } from './overlay-label.js';
import type { OverlayStyle } from './overlay-style.js';
import { colorForKey } from './palette.js';
import type { PixelPoint, RasterImage, Rgb } from './raster-image.js';

export function lineColor(line: Pick<Line, 'id'>): Rgb {
  return colorForKey(`line:${line.id}`);
}

/**
 * The unit vector, in image pixels, pointing to the side a crossing into counts as "in": (b - a) turned 90°
 * clockwise on screen, negated when the line is inverted. Scaling the axes keeps each side on its side, so
 * turning in image pixels agrees with the analytics' normalized-space rule.
 */
export function lineInDirection(a: PixelPoint, b: PixelPoint, invert: boolean): PixelPoint {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = Math.hypot(dx, dy) || 1;
  const sign = invert ? -1 : 1;
  return [(-dy / length) * sign, (dx / length) * sign];
}

/** Draw each counting line with end markers and an arrow towards "in"; returns the count labels. */
export function drawLines(
  image: RasterImage,
  lines: readonly Line[],
  geometry: OverlayGeometry,
  style: OverlayStyle,
  state: AnalyticsState | undefined,
): OverlayLabel[] {
  const labels: OverlayLabel[] = [];
  const t = style.thickness;
  for (const line of lines) {
    const color = lineColor(line);
    const a = normalizedToImage(geometry, line.a);
    const b = normalizedToImage(geometry, line.b);
    drawLine(image, a, b, color, t);
    for (const [x, y] of [a, b]) fillRect(image, [x - 2 * t, y - 2 * t, x + 2 * t + 1, y + 2 * t + 1], color);

    const normal = lineInDirection(a, b, line.invert);
    const along: PixelPoint = [-normal[1], normal[0]];
    const mid: PixelPoint = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const length = 10 * t + 10;
    const head = 4 * t + 4;
    const tip = offset(mid, normal, length);
    const base = offset(mid, normal, length - head);
    drawLine(image, mid, base, color, t);
    fillPolygon(image, [tip, offset(base, along, head * 0.75), offset(base, along, -head * 0.75)], color);

    // The label sits on the "out" side, clear of the arrow.
    const counts = state?.lineCounts[line.id];
    const text = lineLabelText(line.name ?? line.id, counts, state !== undefined);
    const size = overlayLabelSize(text, style);
    const gap = 2 * t + 4 + Math.abs(normal[0]) * (size.width / 2) + Math.abs(normal[1]) * (size.height / 2);
    const centre = offset(mid, normal, -gap);
    labels.push({ text, x: centre[0] - size.width / 2, y: centre[1] - size.height / 2, color });
  }
  return labels;
}

/** "gate in 3 out 1" */
export function lineLabelText(name: string, counts: { in: number; out: number } | undefined, withCount: boolean): string {
  if (!withCount) return name;
  return `${name} in ${counts?.in ?? 0} out ${counts?.out ?? 0}`;
}

function offset(p: PixelPoint, direction: PixelPoint, distance: number): PixelPoint {
  return [p[0] + direction[0] * distance, p[1] + direction[1] * distance];
}
