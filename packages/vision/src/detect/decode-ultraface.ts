import type { CandidateBoxes } from './candidates.js';
import type { DecodeParams, OutputShape, OutputTensor } from './decode-types.js';
import { dimProblem } from './output-shape.js';

/**
 * Ultra-Light-Fast-Generic-Face-Detector-1MB ("with post-processing" exports): the prior boxes are already decoded
 * in the graph, so this only reads two outputs row by row.
 * - scores [1, N, 1+C]: softmax over (background, C classes); the score is the best class column.
 * - boxes [1, N, 4]: x1, y1, x2, y2 as fractions of the input, scaled here to input pixels.
 * Boxes can poke slightly outside 0-1; mapping to the source frame clamps them.
 */
export function decodeUltraface(scores: OutputTensor, boxes: OutputTensor, p: DecodeParams, out: CandidateBoxes): void {
  const [, scoreRows = 0, cols = 0] = scores.dims;
  const [, boxRows = 0] = boxes.dims;
  const numClasses = cols - 1;
  // Both outputs come from the same priors; a mismatch would be a broken export, so read only what both have.
  const n = Math.min(scoreRows, boxRows);
  const s = scores.data;
  const b = boxes.data;
  const { thresholds, inputWidth: w, inputHeight: h } = p;
  for (let i = 0; i < n; i++) {
    const o = i * cols;
    let best = 0;
    let bestClass = 0;
    for (let c = 0; c < numClasses; c++) {
      const v = s[o + 1 + c]!;
      if (v > best) {
        best = v;
        bestClass = c;
      }
    }
    if (best < thresholds[bestClass]!) continue;
    const q = i * 4;
    out.push(b[q]! * w, b[q + 1]! * h, b[q + 2]! * w, b[q + 3]! * h, best, bestClass);
  }
}

/** Why an output cannot be the ultraface `role`, or undefined when it fits. */
export function ultrafaceShapeProblem(role: string, shape: OutputShape, numClasses: number): string | undefined {
  if (role === 'scores') {
    if (shape.length !== 3) return `expected rank 3 [1, N, 1+C], got [${shape.join(', ')}]`;
    return dimProblem(shape, 2, 1 + numClasses, `background + ${numClasses} labels`);
  }
  if (shape.length !== 3) return `expected rank 3 [1, N, 4], got [${shape.join(', ')}]`;
  return dimProblem(shape, 2, 4, 'x1, y1, x2, y2');
}
