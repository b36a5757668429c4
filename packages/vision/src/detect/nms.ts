import type { CandidateBoxes } from './candidates.js';

export interface NmsOptions {
  /** Boxes of the same class overlapping a kept box by more than this IoU are dropped. */
  iouThreshold: number;
  /** Stop after this many kept boxes (highest scores first). */
  maxDetections?: number;
}

/**
 * Class-aware greedy non-maximum suppression. Sorts once by score, then compares each box only with
 * the boxes already kept for its class. Returns kept candidate indices, best score first.
 */
export function nonMaxSuppression(c: CandidateBoxes, opts: NmsOptions): number[] {
  const n = c.count;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const scores = c.scores;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);

  const max = opts.maxDetections ?? Infinity;
  const boxes = c.boxes;
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  for (let k = 0; k < n && kept.length < max; k++) {
    const i = order[k]!;
    const cls = c.classIds[i]!;
    let same = keptByClass.get(cls);
    if (!same) keptByClass.set(cls, (same = []));
    let suppressed = false;
    for (const j of same) {
      if (iouAt(boxes, i, j) > opts.iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    same.push(i);
    kept.push(i);
  }
  return kept;
}

function iouAt(b: Float32Array, i: number, j: number): number {
  const ai = i * 4;
  const aj = j * 4;
  const ix = Math.min(b[ai + 2]!, b[aj + 2]!) - Math.max(b[ai]!, b[aj]!);
  if (ix <= 0) return 0;
  const iy = Math.min(b[ai + 3]!, b[aj + 3]!) - Math.max(b[ai + 1]!, b[aj + 1]!);
  if (iy <= 0) return 0;
  const inter = ix * iy;
  const areaI = (b[ai + 2]! - b[ai]!) * (b[ai + 3]! - b[ai + 1]!);
  const areaJ = (b[aj + 2]! - b[aj]!) * (b[aj + 3]! - b[aj + 1]!);
  const union = areaI + areaJ - inter;
  return union > 0 ? inter / union : 0;
}
