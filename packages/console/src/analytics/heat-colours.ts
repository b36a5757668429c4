/** The heatmap's colour scale: transparent for nothing, then blue, cyan, yellow and red for the busiest cell. */
const STOPS: [number, [number, number, number, number]][] = [
  [0, [37, 99, 235, 0]],
  [0.15, [37, 99, 235, 110]],
  [0.4, [34, 211, 238, 150]],
  [0.7, [250, 204, 21, 180]],
  [1, [239, 68, 68, 210]],
];

/** How far along the scale a cell is: the square root of its share of the busiest cell, so quiet areas still show. */
export function heatLevel(count: number, max: number): number {
  if (max <= 0 || count <= 0) return 0;
  return Math.sqrt(Math.min(1, count / max));
}

/** RGBA (0-255) at `t` in [0, 1], linear between the stops. */
export function heatColour(t: number): [number, number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i]!;
    const [t0, c0] = STOPS[i - 1]!;
    if (x <= t1) {
      const f = (x - t0) / (t1 - t0);
      return c0.map((v, k) => Math.round(v + (c1[k]! - v) * f)) as [number, number, number, number];
    }
  }
  return STOPS[STOPS.length - 1]![1];
}

/** The count a level stands for (the inverse of heatLevel), for the legend's ticks. */
export function countAtLevel(level: number, max: number): number {
  return Math.round(level * level * max);
}

/** A CSS gradient of the scale, for the legend. */
export function heatGradientCss(): string {
  return `linear-gradient(to right, ${STOPS.map(([t, [r, g, b, a]]) => `rgba(${r}, ${g}, ${b}, ${Math.max(a, 40) / 255}) ${t * 100}%`).join(', ')})`;
}

/** The busiest cells, largest first: where objects were most often, as positions across and down the picture. */
export function hotSpots(cells: readonly number[], cols: number, rows: number, count = 3): { col: number; row: number; count: number; x: number; y: number }[] {
  return cells
    .map((c, i) => ({ col: i % cols, row: Math.floor(i / cols), count: c }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || a.row - b.row || a.col - b.col)
    .slice(0, count)
    .map((c) => ({ ...c, x: (c.col + 0.5) / cols, y: (c.row + 0.5) / rows }));
}

/** "top left", "middle right", … for a position in the picture. */
export function describePosition(x: number, y: number): string {
  const across = x < 1 / 3 ? 'left' : x < 2 / 3 ? 'centre' : 'right';
  const down = y < 1 / 3 ? 'top' : y < 2 / 3 ? 'middle' : 'bottom';
  return down === 'middle' && across === 'centre' ? 'centre' : `${down} ${across}`;
}
