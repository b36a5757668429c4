import { describe, expect, it } from 'vitest';
import { CandidateBoxes } from '../../src/detect/candidates.js';
import { decodeUltraface, type DecodeParams } from '../../src/detect/decode.js';
import { ultrafaceShapeProblem } from '../../src/detect/decode-ultraface.js';
import { parseModelManifest } from '../../src/detect/model-package.js';
import { Postprocessor } from '../../src/detect/postprocess.js';
import { resolveClassThresholds } from '../../src/detect/thresholds.js';
import { fitGeometry } from '../../src/frame.js';

const params = (thresholds: number[]): DecodeParams => ({
  inputWidth: 64,
  inputHeight: 32,
  strides: [8, 16, 32],
  thresholds: Float32Array.from(thresholds),
  minScore: Math.min(...thresholds),
});

function rows(c: CandidateBoxes) {
  return Array.from({ length: c.count }, (_, i) => ({
    box: Array.from(c.boxes.subarray(i * 4, i * 4 + 4)),
    score: c.scores[i]!,
    classId: c.classIds[i]!,
  }));
}

describe('decodeUltraface', () => {
  it('reads softmax face scores and scales fractional x1y1x2y2 boxes to input pixels', () => {
    // Column 0 is background, column 1 face.
    const scores = Float32Array.of(0.9, 0.1, 0.2, 0.8, 0.25, 0.75, 0.35, 0.65);
    const boxes = Float32Array.of(
      0, 0, 1, 1, // background: skipped
      0.25, 0.5, 0.5, 1, // face 0.8 → [16, 16, 32, 32] in a 64×32 input
      -0.0625, 0, 0.125, 0.25, // face 0.75, poking out on the left → [-4, 0, 8, 8] (clamped later, on mapping)
      0.5, 0.5, 0.75, 0.75, // face 0.65: below 0.7
    );
    const c = new CandidateBoxes(1);
    decodeUltraface({ data: scores, dims: [1, 4, 2] }, { data: boxes, dims: [1, 4, 4] }, params([0.7]), c);
    const r = rows(c);
    expect(r.map((x) => x.box)).toEqual([
      [16, 16, 32, 32],
      [-4, 0, 8, 8],
    ]);
    expect(r[0]!.score).toBeCloseTo(0.8, 6);
    expect(r[1]!.score).toBeCloseTo(0.75, 6);
    expect(r.map((x) => x.classId)).toEqual([0, 0]);
  });

  it('takes the best non-background class and honours per-class thresholds', () => {
    // Columns: background, face, mask.
    const scores = Float32Array.of(0.1, 0.3, 0.6, 0.2, 0.7, 0.1);
    const boxes = Float32Array.of(0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1);
    const c = new CandidateBoxes();
    decodeUltraface({ data: scores, dims: [1, 2, 3] }, { data: boxes, dims: [1, 2, 4] }, params([0.5, 0.65]), c);
    // Row 0 is a mask at 0.6 (mask needs 0.65): dropped. Row 1 is a face at 0.7.
    expect(rows(c)).toEqual([{ box: [32, 16, 64, 32], score: expect.closeTo(0.7, 6), classId: 0 }]);
  });

  it('reads only the rows both outputs have', () => {
    const scores = Float32Array.of(0, 1, 0, 1, 0, 1);
    const boxes = Float32Array.of(0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1);
    const c = new CandidateBoxes();
    decodeUltraface({ data: scores, dims: [1, 3, 2] }, { data: boxes, dims: [1, 2, 4] }, params([0.5]), c);
    expect(c.count).toBe(2);
  });
});

describe('ultrafaceShapeProblem', () => {
  it('accepts the official shapes and names the dimension that is wrong', () => {
    expect(ultrafaceShapeProblem('scores', [1, 4420, 2], 1)).toBeUndefined();
    expect(ultrafaceShapeProblem('boxes', [1, 4420, 4], 1)).toBeUndefined();
    expect(ultrafaceShapeProblem('scores', [1, 'N', 2], 1)).toBeUndefined();
    expect(ultrafaceShapeProblem('scores', [1, 4420, 2], 2)).toBe('dimension 2 (background + 2 labels) is 2, expected 3');
    expect(ultrafaceShapeProblem('boxes', [1, 4420, 5], 1)).toBe('dimension 2 (x1, y1, x2, y2) is 5, expected 4');
    expect(ultrafaceShapeProblem('boxes', [4420, 4], 1)).toMatch(/expected rank 3/);
  });
});

describe('Postprocessor with an ultraface manifest', () => {
  it('suppresses overlapping faces at the manifest IoU and maps boxes back through the stretch', () => {
    const manifest = parseModelManifest({
      name: 'synthetic-ultraface',
      family: 'ultraface',
      input: { name: 'input', width: 320, height: 240, channelOrder: 'rgb', mean: [127, 127, 127], std: [128, 128, 128], resize: 'stretch' },
      labels: ['face'],
      scoreThreshold: 0.7,
      nmsIou: 0.3,
    });
    const scores = Float32Array.of(0.05, 0.95, 0.1, 0.9, 0.2, 0.8);
    const boxes = Float32Array.of(
      0.1, 0.1, 0.2, 0.3, // the best face
      0.11, 0.1, 0.21, 0.3, // the same face, one anchor over (IoU 0.82): suppressed
      0.6, 0.5, 0.7, 0.7, // another face
    );
    const pp = new Postprocessor(manifest, { thresholds: resolveClassThresholds(manifest) });
    // A 480×270 source stretched to 320×240.
    const geometry = fitGeometry(480, 270, 320, 240, 'stretch');
    const dets = pp.run(
      { scores: { data: scores, dims: [1, 3, 2] }, boxes: { data: boxes, dims: [1, 3, 4] } },
      { geometry, sourceWidth: 480, sourceHeight: 270 },
    );
    expect(dets.map((d) => d.label)).toEqual(['face', 'face']);
    expect(dets[0]!.score).toBeCloseTo(0.95, 6);
    // Fractions of the input are fractions of the source under a stretch: x × 480, y × 270.
    dets[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([48, 27, 96, 81][i]!, 3));
    dets[1]!.box.forEach((v, i) => expect(v).toBeCloseTo([288, 135, 336, 189][i]!, 3));
  });
});
