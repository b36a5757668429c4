import type { CandidateBoxes } from './candidates.js';
import type { DecodeParams, OutputTensor } from './decode-types.js';

/**
 * YOLOX head, [1, N, 5+C]: rows are grid cells of each stride in turn, row-major, holding
 * (x, y, w, h, obj, C class scores) with obj and classes already sigmoided. Box decode happens here:
 * cx = (x + gx)·s, cy = (y + gy)·s, w = exp(w)·s, h = exp(h)·s. Score = obj · max(class).
 */
export function decodeYolox(output: OutputTensor, p: DecodeParams, out: CandidateBoxes): void {
  const [, rows = 0, cols = 0] = output.dims;
  const numClasses = cols - 5;
  const data = output.data;
  const { thresholds, minScore } = p;
  let row = 0;
  for (const stride of p.strides) {
    const gw = Math.floor(p.inputWidth / stride);
    const gh = Math.floor(p.inputHeight / stride);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, row++) {
        if (row >= rows) return;
        const o = row * cols;
        const obj = data[o + 4]!;
        // Class scores are at most 1, so obj alone bounds the score.
        if (obj < minScore) continue;
        let best = 0;
        let bestClass = 0;
        for (let c = 0; c < numClasses; c++) {
          const v = data[o + 5 + c]!;
          if (v > best) {
            best = v;
            bestClass = c;
          }
        }
        const score = obj * best;
        if (score < thresholds[bestClass]!) continue;
        const cx = (data[o]! + gx) * stride;
        const cy = (data[o + 1]! + gy) * stride;
        const hw = (Math.exp(data[o + 2]!) * stride) / 2;
        const hh = (Math.exp(data[o + 3]!) * stride) / 2;
        out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, bestClass);
      }
    }
  }
}
