/** A group of changed grid cells, inclusive cell bounds, with how many changed cells it holds. */
export interface CellRegion {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  cells: number;
}

/**
 * Clears changed cells that have no changed neighbour (8-connected): single-cell flicker from
 * sensor noise or compression, which a real object almost never produces. Returns cells kept.
 */
export function dropIsolatedCells(mask: Uint8Array, columns: number, rows: number, scratch: Uint8Array): number {
  scratch.set(mask);
  let kept = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const i = y * columns + x;
      if (scratch[i] === 0) continue;
      if (hasChangedNeighbour(scratch, columns, rows, x, y)) kept++;
      else mask[i] = 0;
    }
  }
  return kept;
}

function hasChangedNeighbour(mask: Uint8Array, columns: number, rows: number, x: number, y: number): boolean {
  for (let ny = Math.max(0, y - 1); ny <= Math.min(rows - 1, y + 1); ny++) {
    for (let nx = Math.max(0, x - 1); nx <= Math.min(columns - 1, x + 1); nx++) {
      if ((nx !== x || ny !== y) && mask[ny * columns + nx] !== 0) return true;
    }
  }
  return false;
}

/**
 * Groups changed cells into regions: cells within `dilation` cells of each other join one region
 * (the parts of one walking person rarely all change at once), and each region's box grows by
 * `dilation` cells so a crop around it has some margin. Buffers are kept between frames, sized
 * for one grid.
 */
export class RegionFinder {
  private readonly grown: Uint8Array;
  private readonly horizontal: Uint8Array;
  private readonly label: Int32Array;
  private readonly stack: Int32Array;

  constructor(
    private readonly columns: number,
    private readonly rows: number,
    private readonly dilation: number,
  ) {
    const cells = columns * rows;
    this.grown = new Uint8Array(cells);
    this.horizontal = new Uint8Array(cells);
    this.label = new Int32Array(cells);
    this.stack = new Int32Array(cells);
  }

  /** Regions of the changed cells in `mask`, largest (most changed cells) first. */
  find(mask: Uint8Array): CellRegion[] {
    const { columns, rows, label, stack } = this;
    const grown = this.dilate(mask);
    label.fill(0);
    const regions: CellRegion[] = [];
    for (let start = 0; start < grown.length; start++) {
      if (grown[start] === 0 || label[start] !== 0) continue;
      const region: CellRegion = { x1: columns, y1: rows, x2: -1, y2: -1, cells: 0 };
      label[start] = 1;
      let top = 0;
      stack[top++] = start;
      while (top > 0) {
        const i = stack[--top] as number;
        const x = i % columns;
        const y = (i - x) / columns;
        if (mask[i] !== 0) region.cells++;
        if (x < region.x1) region.x1 = x;
        if (x > region.x2) region.x2 = x;
        if (y < region.y1) region.y1 = y;
        if (y > region.y2) region.y2 = y;
        for (let ny = Math.max(0, y - 1); ny <= Math.min(rows - 1, y + 1); ny++) {
          for (let nx = Math.max(0, x - 1); nx <= Math.min(columns - 1, x + 1); nx++) {
            const n = ny * columns + nx;
            if (grown[n] !== 0 && label[n] === 0) {
              label[n] = 1;
              stack[top++] = n;
            }
          }
        }
      }
      regions.push(region);
    }
    return regions.sort((a, b) => b.cells - a.cells);
  }

  /** Square dilation done as two 1-D passes (rows, then columns). */
  private dilate(mask: Uint8Array): Uint8Array {
    const { columns, rows, dilation: radius, horizontal, grown } = this;
    if (radius === 0) return mask;
    horizontal.fill(0);
    grown.fill(0);
    for (let y = 0; y < rows; y++) {
      const row = y * columns;
      for (let x = 0; x < columns; x++) {
        if (mask[row + x] === 0) continue;
        horizontal.fill(1, row + Math.max(0, x - radius), row + Math.min(columns - 1, x + radius) + 1);
      }
    }
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        if (horizontal[y * columns + x] === 0) continue;
        for (let ny = Math.max(0, y - radius); ny <= Math.min(rows - 1, y + radius); ny++) grown[ny * columns + x] = 1;
      }
    }
    return grown;
  }
}
