import type { CandidateBoxes } from './candidates.js';
import type { DecodeParams, OutputTensor } from './decode-types.js';

/**
 * FastestDet head, [1, 5+C, H, W] channel-first single grid. Channel 0 is obj (sigmoided), 1-4 raw box
 * terms, 5.. class scores (softmaxed). Score = obj^0.6 · max(class)^0.4.
 * cx = (col + tanh(c1)) / W, cy = (row + tanh(c2)) / H, w = sigmoid(c3), h = sigmoid(c4), all fractions
 * of the input, scaled here to input pixels.
 */
export function decodeFastestdet(output: OutputTensor, p: DecodeParams, out: CandidateBoxes): void {
  const [, channels = 0, gh = 0, gw = 0] = output.dims;
  const numClasses = channels - 5;
  const plane = gh * gw;
  const data = output.data;
  const { thresholds, minScore } = p;
  for (let row = 0; row < gh; row++) {
    for (let col = 0; col < gw; col++) {
      const i = row * gw + col;
      const objTerm = Math.pow(data[i]!, 0.6);
      // The class term is at most 1, so the objectness term alone bounds the score.
      if (!(objTerm >= minScore)) continue;
      let best = 0;
      let bestClass = 0;
      for (let c = 0; c < numClasses; c++) {
        const v = data[(5 + c) * plane + i]!;
        if (v > best) {
          best = v;
          bestClass = c;
        }
      }
      const score = objTerm * Math.pow(best, 0.4);
      if (score < thresholds[bestClass]!) continue;
      const cx = ((col + Math.tanh(data[plane + i]!)) / gw) * p.inputWidth;
      const cy = ((row + Math.tanh(data[2 * plane + i]!)) / gh) * p.inputHeight;
      const hw = (sigmoid(data[3 * plane + i]!) * p.inputWidth) / 2;
      const hh = (sigmoid(data[4 * plane + i]!) * p.inputHeight) / 2;
      out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, bestClass);
    }
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
