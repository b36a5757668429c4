import type { CandidateBoxes } from './candidates.js';
import type { DecodeParams, OutputTensor } from './decode-types.js';

/**
 * YOLOv8 / YOLO11 head, [1, 4+C, N] channel-first: rows 0-3 are cx, cy, w, h in input pixels,
 * rows 4.. are class scores (sigmoided), no objectness. Score = max(class).
 * The class maximum is taken row by row so every read is sequential despite the channel-first layout.
 */
export function decodeYolov8(
  output: OutputTensor,
  p: DecodeParams,
  out: CandidateBoxes,
  scratch?: { best: Float32Array; bestClass: Int32Array },
): void {
  const [, channels = 0, n = 0] = output.dims;
  const numClasses = channels - 4;
  const data = output.data;
  const best = scratch && scratch.best.length >= n ? scratch.best : new Float32Array(n);
  const bestClass = scratch && scratch.bestClass.length >= n ? scratch.bestClass : new Int32Array(n);
  best.fill(0, 0, n);
  bestClass.fill(0, 0, n);
  for (let c = 0; c < numClasses; c++) {
    const base = (4 + c) * n;
    for (let i = 0; i < n; i++) {
      const v = data[base + i]!;
      if (v > best[i]!) {
        best[i] = v;
        bestClass[i] = c;
      }
    }
  }
  const { thresholds, minScore } = p;
  for (let i = 0; i < n; i++) {
    const score = best[i]!;
    if (score < minScore) continue;
    const cls = bestClass[i]!;
    if (score < thresholds[cls]!) continue;
    const cx = data[i]!;
    const cy = data[n + i]!;
    const hw = data[2 * n + i]! / 2;
    const hh = data[3 * n + i]! / 2;
    out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, cls);
  }
}
