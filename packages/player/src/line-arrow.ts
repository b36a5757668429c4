/**
 * The arrow drawn on a counting line: from the line's midpoint towards the side a crossing counts as "in". The
 * protocol defines that side by the normal (b - a) turned 90° clockwise on screen (y grows downwards), or the
 * opposite with `invert`. Computed on displayed points: scaling each axis by a positive factor keeps the side.
 */
export interface Arrow {
  from: [number, number];
  to: [number, number];
  /** The two ends of the arrow head's barbs. */
  head: [[number, number], [number, number]];
}

export function lineArrow(a: readonly [number, number], b: readonly [number, number], invert: boolean, length: number): Arrow | undefined {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const norm = Math.hypot(dx, dy);
  if (norm === 0) return undefined;
  const sign = invert ? -1 : 1;
  // (dx, dy) turned clockwise on a y-down screen is (-dy, dx).
  const nx = (sign * -dy) / norm;
  const ny = (sign * dx) / norm;
  const from: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const to: [number, number] = [from[0] + nx * length, from[1] + ny * length];
  const barb = length * 0.35;
  // The barbs point back from the tip, 45° to each side of the shaft.
  const back: [number, number] = [-nx * barb, -ny * barb];
  const side: [number, number] = [-ny * barb, nx * barb];
  return {
    from,
    to,
    head: [
      [to[0] + back[0] + side[0], to[1] + back[1] + side[1]],
      [to[0] + back[0] - side[0], to[1] + back[1] - side[1]],
    ],
  };
}
