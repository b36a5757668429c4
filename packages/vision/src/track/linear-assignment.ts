/** The outcome of a rectangular assignment: matched (row, column) pairs and what was left over. */
export interface Assignment {
  matches: Array<[row: number, col: number]>;
  unmatchedRows: number[];
  unmatchedCols: number[];
}

export interface AssignmentOptions {
  /**
   * Pairs costing this much or more are never matched. With a limit, the solver minimises
   * Σ (cost − limit) over matched pairs, which is what LAPJV's `cost_limit` (as used by ByteTrack)
   * optimises: leaving a row and a column unmatched costs `limit`, so a pair is worth matching only when
   * cheaper than that. Without a limit (Infinity), as many pairs as possible are matched at minimum total cost.
   */
  costLimit?: number;
}

/**
 * Optimal assignment on a row-major `rows`×`cols` cost matrix (Kuhn–Munkres with potentials and
 * shortest augmenting paths, O(min² · max)). Infinite entries mark forbidden pairs; NaN is rejected.
 */
export function solveLinearAssignment(cost: ArrayLike<number>, rows: number, cols: number, options: AssignmentOptions = {}): Assignment {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`assignment size must be non-negative integers, got ${rows}×${cols}`);
  }
  if (cost.length !== rows * cols) throw new RangeError(`cost matrix has ${cost.length} entries, expected ${rows}×${cols}`);
  const limit = options.costLimit ?? Infinity;
  if (Number.isNaN(limit)) throw new RangeError('costLimit must not be NaN');
  for (let i = 0; i < cost.length; i++) {
    if (Number.isNaN(cost[i])) throw new RangeError(`cost matrix entry ${i} is NaN`);
  }

  const allowed = (c: number) => (limit === Infinity ? Number.isFinite(c) : c < limit);
  const work = limit === Infinity ? maximumCardinalityCosts(cost, Math.min(rows, cols)) : limitedCosts(cost, limit);

  // The solver wants no more rows than columns; solve the transpose otherwise.
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const square = new Float64Array(n * m);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      square[transpose ? c * m + r : r * m + c] = work[r * cols + c]!;
    }
  }
  const rowToColSmall = hungarian(square, n, m);

  const rowMatched = new Uint8Array(rows);
  const colMatched = new Uint8Array(cols);
  const matches: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const j = rowToColSmall[i]!;
    if (j < 0) continue;
    const r = transpose ? j : i;
    const c = transpose ? i : j;
    if (!allowed(cost[r * cols + c]!)) continue;
    matches.push([r, c]);
    rowMatched[r] = 1;
    colMatched[c] = 1;
  }
  matches.sort((a, b) => a[0] - b[0]);
  const unmatchedRows: number[] = [];
  const unmatchedCols: number[] = [];
  for (let r = 0; r < rows; r++) if (!rowMatched[r]) unmatchedRows.push(r);
  for (let c = 0; c < cols; c++) if (!colMatched[c]) unmatchedCols.push(c);
  return { matches, unmatchedRows, unmatchedCols };
}

/**
 * Costs relative to the limit, clipped at zero: a full assignment on these has the same optimum as the
 * best partial matching, because every pair at zero stands for "leave both unmatched".
 */
function limitedCosts(cost: ArrayLike<number>, limit: number): Float64Array {
  const out = new Float64Array(cost.length);
  for (let i = 0; i < cost.length; i++) {
    const c = cost[i]!;
    out[i] = c < limit ? c - limit : 0;
  }
  return out;
}

/** Forbidden pairs become so expensive that using one more of them always costs more than any allowed alternative. */
function maximumCardinalityCosts(cost: ArrayLike<number>, pairs: number): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < cost.length; i++) {
    const c = cost[i]!;
    if (Number.isFinite(c)) {
      lo = Math.min(lo, c);
      hi = Math.max(hi, c);
    }
  }
  const out = new Float64Array(cost.length);
  if (lo === Infinity) return out; // nothing allowed; the caller drops every pair
  const big = hi + (hi - lo + 1) * (pairs + 1);
  for (let i = 0; i < cost.length; i++) {
    const c = cost[i]!;
    out[i] = Number.isFinite(c) ? c : big;
  }
  return out;
}

/**
 * Minimum-cost assignment of every row of an n×m matrix (n ≤ m, finite costs) to a distinct column.
 * Returns, for each row, its column. Classic potentials formulation: each row is added by a Dijkstra-like
 * search for the cheapest augmenting path in reduced costs.
 */
function hungarian(a: Float64Array, n: number, m: number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOfCol = new Int32Array(m + 1); // 1-based row per 1-based column; 0 = free
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOfCol[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a[(i0 - 1) * m + (j - 1)]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[rowOfCol[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minv[j]! -= delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    do {
      const j1 = way[j0]!;
      rowOfCol[j0] = rowOfCol[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOfRow = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOfCol[j]! > 0) colOfRow[rowOfCol[j]! - 1] = j - 1;
  return colOfRow;
}
