import type { CandidateBoxes } from './candidates.js';
import type { DecodeParams, OutputShape, OutputTensor } from './decode-types.js';
import { dimProblem } from './output-shape.js';

/** One stride's outputs of a YuNet head. */
export interface YunetLevel {
  stride: number;
  /** [1, N, C] class scores. */
  cls: OutputTensor;
  /** [1, N, 1] objectness. */
  obj: OutputTensor;
  /** [1, N, 4] raw box terms. */
  bbox: OutputTensor;
}

/** The grid of one stride: the input is cut into whole cells, as the official exports do (N = (size/stride)²). */
export function yunetGrid(inputWidth: number, inputHeight: number, stride: number): { cols: number; rows: number } {
  return { cols: Math.floor(inputWidth / stride), rows: Math.floor(inputHeight / stride) };
}

/**
 * YuNet (libfacedetection, OpenCV FaceDetectorYN) head: per stride s a row-major grid of cells (row r, column c).
 * Score = sqrt(clamp01(cls) · clamp01(obj)), the geometric mean OpenCV uses. Box decode is not in the graph:
 * cx = (c + b0)·s, cy = (r + b1)·s, w = exp(b2)·s, h = exp(b3)·s, in input pixels. Landmarks are not read.
 */
export function decodeYunet(levels: readonly YunetLevel[], p: DecodeParams, out: CandidateBoxes): void {
  const { thresholds, minScore } = p;
  for (const { stride, cls, obj, bbox } of levels) {
    const { cols } = yunetGrid(p.inputWidth, p.inputHeight, stride);
    const numClasses = cls.dims[2] ?? 1;
    // Bound by every tensor's real length, so a short output cannot read past its end.
    const n = Math.min(cls.dims[1] ?? 0, obj.dims[1] ?? 0, bbox.dims[1] ?? 0);
    const cd = cls.data;
    const od = obj.data;
    const bd = bbox.data;
    for (let i = 0; i < n; i++) {
      const objectness = clamp01(od[i]!);
      // cls is at most 1, so sqrt(obj) alone bounds the score.
      if (Math.sqrt(objectness) < minScore) continue;
      let best = 0;
      let bestClass = 0;
      for (let k = 0; k < numClasses; k++) {
        const v = clamp01(cd[i * numClasses + k]!);
        if (v > best) {
          best = v;
          bestClass = k;
        }
      }
      const score = Math.sqrt(best * objectness);
      if (score < thresholds[bestClass]!) continue;
      const row = Math.floor(i / cols);
      const col = i - row * cols;
      const q = i * 4;
      const cx = (col + bd[q]!) * stride;
      const cy = (row + bd[q + 1]!) * stride;
      const hw = (Math.exp(bd[q + 2]!) * stride) / 2;
      const hh = (Math.exp(bd[q + 3]!) * stride) / 2;
      out.push(cx - hw, cy - hh, cx + hw, cy + hh, score, bestClass);
    }
  }
}

/** Why an output cannot be the yunet `role` (cls_S, obj_S or bbox_S), or undefined when it fits. */
export function yunetShapeProblem(
  role: string,
  shape: OutputShape,
  inputWidth: number,
  inputHeight: number,
  numClasses: number,
): string | undefined {
  const [kind = '', strideText = ''] = role.split('_');
  const stride = Number(strideText);
  const { cols, rows } = yunetGrid(inputWidth, inputHeight, stride);
  const width = kind === 'cls' ? numClasses : kind === 'obj' ? 1 : 4;
  if (shape.length !== 3) return `expected rank 3 [1, N, ${width}], got [${shape.join(', ')}]`;
  const what = kind === 'cls' ? `${numClasses} labels` : kind === 'obj' ? 'objectness' : 'box terms';
  return (
    dimProblem(shape, 1, cols * rows, `${cols}×${rows} cells of stride ${stride} over ${inputWidth}×${inputHeight}`) ??
    dimProblem(shape, 2, width, what)
  );
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
