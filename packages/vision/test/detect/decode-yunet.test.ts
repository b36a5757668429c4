import { describe, expect, it } from 'vitest';
import { CandidateBoxes } from '../../src/detect/candidates.js';
import { decodeYunet, type DecodeParams, type OutputTensor, type YunetLevel } from '../../src/detect/decode.js';
import { yunetShapeProblem } from '../../src/detect/decode-yunet.js';
import { parseModelManifest } from '../../src/detect/model-package.js';
import { Postprocessor } from '../../src/detect/postprocess.js';
import { resolveClassThresholds } from '../../src/detect/thresholds.js';
import { fitGeometry } from '../../src/frame.js';

/** Empty outputs of one stride for a width×height input: cls [1, N, 1], obj [1, N, 1], bbox [1, N, 4]. */
function level(stride: number, width: number, height: number): YunetLevel {
  const n = Math.floor(width / stride) * Math.floor(height / stride);
  const t = (cols: number): OutputTensor => ({ data: new Float32Array(n * cols), dims: [1, n, cols] });
  return { stride, cls: t(1), obj: t(1), bbox: t(4) };
}

function setCell(l: YunetLevel, i: number, cls: number, obj: number, bbox: number[]): void {
  (l.cls.data as Float32Array)[i] = cls;
  (l.obj.data as Float32Array)[i] = obj;
  (l.bbox.data as Float32Array).set(bbox, i * 4);
}

function rows(c: CandidateBoxes) {
  return Array.from({ length: c.count }, (_, i) => ({
    box: Array.from(c.boxes.subarray(i * 4, i * 4 + 4)).map((v) => Math.round(v * 1e4) / 1e4),
    score: Math.round(c.scores[i]! * 1e4) / 1e4,
    classId: c.classIds[i]!,
  }));
}

const params = (over: Partial<DecodeParams> = {}): DecodeParams => ({
  inputWidth: 64,
  inputHeight: 32,
  strides: [8, 16],
  thresholds: Float32Array.of(0.6),
  minScore: 0.6,
  ...over,
});

describe('decodeYunet', () => {
  it('decodes each stride row-major with score = sqrt(cls × obj), clamped to 0-1', () => {
    // A 64×32 input: stride 8 is an 8×4 grid, stride 16 a 4×2 grid.
    const s8 = level(8, 64, 32);
    const s16 = level(16, 64, 32);
    // Stride 8, row 2, column 5 (cell 21): cx = (5 + 0.5)·8 = 44, cy = (2 + 0.25)·8 = 18, w = 2·8, h = 1·8.
    setCell(s8, 2 * 8 + 5, 0.81, 1, [0.5, 0.25, Math.log(2), 0]);
    // Stride 16, row 1, column 3 (cell 7): cls 1.2 clamps to 1, score sqrt(0.64) = 0.8; a 16×16 box at (48, 16).
    setCell(s16, 1 * 4 + 3, 1.2, 0.64, [0, 0, 0, 0]);
    // Below the threshold (sqrt(0.09) = 0.3), and a negative objectness that clamps to 0.
    setCell(s8, 0, 0.3, 0.3, [0, 0, 0, 0]);
    setCell(s16, 0, 0.99, -0.5, [0, 0, 0, 0]);
    const c = new CandidateBoxes(1);
    decodeYunet([s8, s16], params(), c);
    expect(rows(c)).toEqual([
      { box: [36, 14, 52, 22], score: 0.9, classId: 0 },
      { box: [40, 8, 56, 24], score: 0.8, classId: 0 },
    ]);
  });

  it('bounds every read by the real tensor length', () => {
    const s8 = level(8, 64, 32);
    setCell(s8, 31, 1, 1, [0, 0, 0, 0]);
    const short = { ...s8, obj: { data: s8.obj.data.subarray(0, 16), dims: [1, 16, 1] } };
    const c = new CandidateBoxes();
    decodeYunet([short], params({ strides: [8] }), c);
    expect(c.count).toBe(0);
  });
});

describe('yunetShapeProblem', () => {
  it('checks the cell count of each stride and the width of each kind', () => {
    expect(yunetShapeProblem('cls_8', [1, 6400, 1], 640, 640, 1)).toBeUndefined();
    expect(yunetShapeProblem('obj_32', [1, 400, 1], 640, 640, 1)).toBeUndefined();
    expect(yunetShapeProblem('bbox_16', [1, 1600, 4], 640, 640, 1)).toBeUndefined();
    expect(yunetShapeProblem('bbox_16', [1, 'n', 4], 640, 640, 1)).toBeUndefined();
    expect(yunetShapeProblem('bbox_8', [1, 1600, 4], 640, 640, 1)).toBe(
      'dimension 1 (80×80 cells of stride 8 over 640×640) is 1600, expected 6400',
    );
    expect(yunetShapeProblem('bbox_8', [1, 6400, 10], 640, 640, 1)).toBe('dimension 2 (box terms) is 10, expected 4');
    expect(yunetShapeProblem('cls_8', [1, 6400, 1], 640, 640, 2)).toBe('dimension 2 (2 labels) is 1, expected 2');
    expect(yunetShapeProblem('obj_8', [6400, 1], 640, 640, 1)).toMatch(/expected rank 3 \[1, N, 1\]/);
  });
});

describe('Postprocessor with a yunet manifest', () => {
  it('maps boxes back through a top-left letterbox', () => {
    const manifest = parseModelManifest({
      name: 'synthetic-yunet',
      family: 'yunet',
      input: { name: 'input', width: 64, height: 64, channelOrder: 'bgr', resize: 'letterbox', padValue: 0 },
      strides: [8, 16, 32],
      labels: ['face'],
      scoreThreshold: 0.6,
      nmsIou: 0.3,
    });
    const levels = [8, 16, 32].map((s) => level(s, 64, 64));
    // Stride 8 (8×8 grid), row 1, column 4: a 16×8 box centred on (36, 10). The same face seen from the next cell,
    // at 0.8, is shifted by 1.6 px (IoU 0.82) and goes at nmsIou 0.3.
    setCell(levels[0]!, 1 * 8 + 4, 1, 0.81, [0.5, 0.25, Math.log(2), 0]);
    setCell(levels[0]!, 1 * 8 + 5, 1, 0.64, [-0.3, 0.25, Math.log(2), 0]);
    const outputs: Record<string, OutputTensor> = {};
    for (const l of levels) Object.assign(outputs, { [`cls_${l.stride}`]: l.cls, [`obj_${l.stride}`]: l.obj, [`bbox_${l.stride}`]: l.bbox });
    const pp = new Postprocessor(manifest, { thresholds: resolveClassThresholds(manifest) });
    // A 128×64 source fits as 64×32 at the top of the 64×64 input (scale 0.5).
    const geometry = fitGeometry(128, 64, 64, 64, 'letterbox', 'top-left');
    const dets = pp.run(outputs, { geometry, sourceWidth: 128, sourceHeight: 64 });
    expect(dets).toHaveLength(1);
    expect(dets[0]!.label).toBe('face');
    expect(dets[0]!.score).toBeCloseTo(0.9, 6);
    // Input [28, 6, 44, 14] / 0.5.
    dets[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([56, 12, 88, 28][i]!, 4));
  });
});
