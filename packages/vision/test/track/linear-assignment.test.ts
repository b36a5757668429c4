import { describe, expect, it } from 'vitest';
import { solveLinearAssignment } from '../../src/track/linear-assignment.js';

/** Deterministic PRNG so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every partial matching, by recursion over rows. */
function* partialMatchings(rows: number, cols: number, row = 0, used = new Set<number>(), acc: Array<[number, number]> = []): Generator<Array<[number, number]>> {
  if (row === rows) {
    yield [...acc];
    return;
  }
  yield* partialMatchings(rows, cols, row + 1, used, acc);
  for (let c = 0; c < cols; c++) {
    if (used.has(c)) continue;
    used.add(c);
    acc.push([row, c]);
    yield* partialMatchings(rows, cols, row + 1, used, acc);
    acc.pop();
    used.delete(c);
  }
}

function randomMatrix(rand: () => number, rows: number, cols: number, forbiddenShare: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => (rand() < forbiddenShare ? Infinity : Math.round(rand() * 100) / 100));
}

describe('solveLinearAssignment', () => {
  it('solves a textbook 3×3 case', () => {
    const cost = [4, 1, 3, 2, 0, 5, 3, 2, 2];
    expect(solveLinearAssignment(cost, 3, 3).matches).toEqual([
      [0, 1],
      [1, 0],
      [2, 2],
    ]);
  });

  it('matches brute force with a cost limit on random rectangular matrices', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(rand() * 5);
      const cols = 1 + Math.floor(rand() * 5);
      const limit = 0.2 + rand() * 0.8;
      const cost = randomMatrix(rand, rows, cols, 0.15);
      const objective = (ms: Array<[number, number]>) => ms.reduce((s, [r, c]) => s + cost[r * cols + c]! - limit, 0);
      let best = 0;
      for (const ms of partialMatchings(rows, cols)) {
        if (ms.every(([r, c]) => cost[r * cols + c]! < limit)) best = Math.min(best, objective(ms));
      }
      const got = solveLinearAssignment(cost, rows, cols, { costLimit: limit });
      expect(got.matches.every(([r, c]) => cost[r * cols + c]! < limit)).toBe(true);
      expect(objective(got.matches)).toBeCloseTo(best, 9);
      expect(got.unmatchedRows.length + got.matches.length).toBe(rows);
      expect(got.unmatchedCols.length + got.matches.length).toBe(cols);
    }
  });

  it('matches brute force without a limit: most pairs first, then least cost', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(rand() * 5);
      const cols = 1 + Math.floor(rand() * 5);
      const cost = randomMatrix(rand, rows, cols, 0.3);
      let bestPairs = 0;
      let bestCost = 0;
      for (const ms of partialMatchings(rows, cols)) {
        if (!ms.every(([r, c]) => Number.isFinite(cost[r * cols + c]!))) continue;
        const total = ms.reduce((s, [r, c]) => s + cost[r * cols + c]!, 0);
        if (ms.length > bestPairs || (ms.length === bestPairs && total < bestCost)) {
          bestPairs = ms.length;
          bestCost = total;
        }
      }
      const got = solveLinearAssignment(cost, rows, cols);
      expect(got.matches.length).toBe(bestPairs);
      expect(got.matches.reduce((s, [r, c]) => s + cost[r * cols + c]!, 0)).toBeCloseTo(bestCost, 9);
    }
  });

  it('leaves everything unmatched when every pair is over the limit or forbidden', () => {
    const got = solveLinearAssignment([0.9, Infinity, 0.95, 1], 2, 2, { costLimit: 0.8 });
    expect(got).toEqual({ matches: [], unmatchedRows: [0, 1], unmatchedCols: [0, 1] });
  });

  it('weighs each match against the limit, as LAPJV with cost_limit does', () => {
    // Greedy would take row 0 → column 0 (0.1) and strand row 1 (only column 0 is under the limit for it).
    // Σ(cost − limit): {0→0} = −0.7, {0→1, 1→0} = (0.6 − 0.8) + (0.2 − 0.8) = −0.8, so two matches win.
    const got = solveLinearAssignment([0.1, 0.6, 0.2, 0.9], 2, 2, { costLimit: 0.8 });
    expect(got.matches).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('handles empty matrices', () => {
    expect(solveLinearAssignment([], 0, 3)).toEqual({ matches: [], unmatchedRows: [], unmatchedCols: [0, 1, 2] });
    expect(solveLinearAssignment([], 2, 0, { costLimit: 1 })).toEqual({ matches: [], unmatchedRows: [0, 1], unmatchedCols: [] });
  });

  it('rejects NaN costs and mismatched sizes', () => {
    expect(() => solveLinearAssignment([NaN], 1, 1)).toThrow(/NaN/);
    expect(() => solveLinearAssignment([1, 2, 3], 2, 2)).toThrow(/3 entries/);
  });
});
