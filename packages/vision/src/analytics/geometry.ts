import type { Anchor, Box, NormalizedPoint } from '@sightline/protocol';

/** A point in normalized frame coordinates, x right and y down, both 0-1 inside the frame. */
export type Point = readonly [number, number];

const clamp01 = (v: number): number => Math.min(Math.max(v, 0), 1);

/** A pixel box as a normalized [x1, y1, x2, y2], clamped to the frame and never inverted. */
export function normalizeBox(box: readonly [number, number, number, number], width: number, height: number): Box {
  const x1 = clamp01(box[0] / width);
  const y1 = clamp01(box[1] / height);
  const x2 = clamp01(box[2] / width);
  const y2 = clamp01(box[3] / height);
  return [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
}

/** The point of a normalized box that stands for the object. Bottom-center is where a walker touches the floor. */
export function anchorPoint(box: Box, anchor: Anchor): Point {
  const cx = (box[0] + box[2]) / 2;
  switch (anchor) {
    case 'bottom-center':
      return [cx, box[3]];
    case 'center':
      return [cx, (box[1] + box[3]) / 2];
    case 'top-center':
      return [cx, box[1]];
  }
}

/** Area of a normalized box as a fraction of the frame. */
export function boxArea(box: Box): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

/**
 * Even-odd ray casting: count how many polygon edges a ray going right from `p` crosses. Works for
 * concave and self-touching polygons. The half-open test on y (one end inclusive) makes a vertex
 * the ray passes through count once, not twice.
 */
export function pointInPolygon(p: Point, polygon: readonly NormalizedPoint[]): boolean {
  const [px, py] = p;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as NormalizedPoint;
    const [xj, yj] = polygon[j] as NormalizedPoint;
    if (yi > py !== yj > py) {
      const xCross = xi + ((py - yi) * (xj - xi)) / (yj - yi);
      if (px < xCross) inside = !inside;
    }
  }
  return inside;
}

/** Twice the signed area of triangle (a, b, c): > 0 when c is clockwise of a→b on screen (y down). */
export function orientation(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/**
 * True when segments p→q and a→b cross at a single point strictly inside both. Touching at an end
 * point or overlapping on the same line does not count: those are the cases jitter produces.
 */
export function segmentsCrossProperly(p: Point, q: Point, a: Point, b: Point): boolean {
  const o1 = orientation(a, b, p);
  const o2 = orientation(a, b, q);
  const o3 = orientation(p, q, a);
  const o4 = orientation(p, q, b);
  return ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0));
}

/**
 * Signed perpendicular distance from `p` to the infinite line through a and b, positive on the side
 * the line's normal points to. The normal is (b - a) turned 90° clockwise on screen, as
 * `LineSchema` documents, which is exactly the side `orientation(a, b, p) > 0` selects.
 */
export function signedDistanceToLine(p: Point, a: Point, b: Point): number {
  const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
  return orientation(a, b, p) / length;
}
