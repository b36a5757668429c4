import type { HeatmapAnchor } from '@sightline/protocol';

export interface HeatmapGrid {
  cols: number;
  rows: number;
  anchor: HeatmapAnchor;
}

/**
 * Counts where objects were: each normalized box [x1, y1, x2, y2] contributes its anchor point (the middle of its
 * bottom edge, where an object stands, or its centre) to one cell of a cols × rows grid over the picture. Cells are
 * row by row from the top-left; a point on the right or bottom edge falls in the last column or row.
 */
export function binHeatmap(boxes: Iterable<readonly [number, number, number, number]>, grid: HeatmapGrid): { cells: number[]; max: number; total: number } {
  const cells = new Array<number>(grid.cols * grid.rows).fill(0);
  let max = 0;
  let total = 0;
  for (const [x1, y1, x2, y2] of boxes) {
    const x = (x1 + x2) / 2;
    const y = grid.anchor === 'bottom-center' ? y2 : (y1 + y2) / 2;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const col = Math.min(grid.cols - 1, Math.max(0, Math.floor(x * grid.cols)));
    const row = Math.min(grid.rows - 1, Math.max(0, Math.floor(y * grid.rows)));
    const index = row * grid.cols + col;
    const count = cells[index]! + 1;
    cells[index] = count;
    if (count > max) max = count;
    total += 1;
  }
  return { cells, max, total };
}
