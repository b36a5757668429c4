import { describe, expect, it } from 'vitest';
import { parseModelManifest } from '../../src/detect/model-package.js';
import { CandidateBoxes } from '../../src/detect/candidates.js';
import { decodeFastestdet, decodeYolov8, decodeYolox, type DecodeParams } from '../../src/detect/decode.js';
import { nonMaxSuppression } from '../../src/detect/nms.js';
import { resolveClassThresholds } from '../../src/detect/thresholds.js';
import { Postprocessor } from '../../src/detect/postprocess.js';
import { preprocessPixels } from '../../src/detect/preprocess.js';

const baseManifest = {
  name: 'synthetic',
  family: 'yolox' as const,
  input: { name: 'images', width: 64, height: 32, channelOrder: 'rgb' as const, resize: 'letterbox' as const },
  strides: [16, 32],
  labels: ['person', 'car', 'dog'],
  scoreThreshold: 0.3,
};

const params = (thresholds: number[], over: Partial<DecodeParams> = {}): DecodeParams => ({
  inputWidth: 64,
  inputHeight: 32,
  strides: [16, 32],
  thresholds: Float32Array.from(thresholds),
  minScore: Math.min(...thresholds),
  ...over,
});

function rows(c: CandidateBoxes) {
  return Array.from({ length: c.count }, (_, i) => ({
    box: Array.from(c.boxes.subarray(i * 4, i * 4 + 4)),
    score: c.scores[i]!,
    classId: c.classIds[i]!,
  }));
}

describe('decodeYolox', () => {
  it('decodes grid rows over each stride with score = obj × max class', () => {
    // strides 16 (4×2 = 8 rows) then 32 (2×1 = 2 rows); 5 + 3 columns.
    const n = 10;
    const data = new Float32Array(n * 8);
    // Row 5 = stride 16, gx 1, gy 1: x 0.5, y 0.25, w = h = log(2) → 32 px, obj 0.9, car 0.8.
    data.set([0.5, 0.25, Math.log(2), Math.log(2), 0.9, 0.1, 0.8, 0.2], 5 * 8);
    // Row 9 = stride 32, gx 1, gy 0: w = log(1) → 32 px, obj 0.5, person 0.5 → 0.25, below 0.3.
    data.set([0, 0, 0, 0, 0.5, 0.5, 0, 0], 9 * 8);
    const c = new CandidateBoxes(1);
    decodeYolox({ data, dims: [1, n, 8] }, params([0.3, 0.3, 0.3]), c);
    const r = rows(c);
    expect(r).toHaveLength(1);
    // cx = (0.5 + 1) × 16 = 24, cy = (0.25 + 1) × 16 = 20, 32 × 32.
    expect(r[0]!.box).toEqual([8, 4, 40, 36]);
    expect(r[0]!.score).toBeCloseTo(0.72, 5);
    expect(r[0]!.classId).toBe(1);
  });

  it('keeps a low-scoring class when its own threshold allows it', () => {
    const data = new Float32Array(10 * 8);
    data.set([0, 0, 0, 0, 0.5, 0.5, 0, 0], 9 * 8);
    const c = new CandidateBoxes();
    decodeYolox({ data, dims: [1, 10, 8] }, params([0.2, 0.3, 0.3]), c);
    expect(rows(c).map((x) => x.classId)).toEqual([0]);
    // stride 32, gx 1: cx = 32, 32 px wide.
    expect(rows(c)[0]!.box).toEqual([16, -16, 48, 16]);
  });
});

describe('decodeYolov8', () => {
  it('reads channel-first cx, cy, w, h and takes the best class without objectness', () => {
    const n = 3;
    const channels = 4 + 3;
    const data = new Float32Array(channels * n);
    const set = (ch: number, i: number, v: number) => (data[ch * n + i] = v);
    // anchor 1: centre (30, 12), 20 × 10, dog 0.9
    set(0, 1, 30);
    set(1, 1, 12);
    set(2, 1, 20);
    set(3, 1, 10);
    set(4 + 2, 1, 0.9);
    set(4 + 0, 1, 0.4);
    // anchor 2: person 0.25 only, below threshold
    set(4, 2, 0.25);
    const c = new CandidateBoxes();
    decodeYolov8({ data, dims: [1, channels, n] }, params([0.3, 0.3, 0.3]), c);
    const r = rows(c);
    expect(r).toHaveLength(1);
    expect(r[0]!.box).toEqual([20, 7, 40, 17]);
    expect(r[0]!.classId).toBe(2);
    expect(r[0]!.score).toBeCloseTo(0.9, 6);
  });
});

describe('decodeFastestdet', () => {
  it('decodes obj^0.6 × cls^0.4 with tanh centres and sigmoid sizes as fractions of the input', () => {
    const gh = 2;
    const gw = 4;
    const plane = gh * gw;
    const channels = 5 + 3;
    const data = new Float32Array(channels * plane);
    const i = 1 * gw + 2; // row 1, column 2
    data[i] = 0.8; // obj
    data[plane + i] = Math.atanh(0.5); // cx = (2 + 0.5) / 4 = 0.625 → 40 px
    data[2 * plane + i] = Math.atanh(-0.5); // cy = (1 - 0.5) / 2 = 0.25 → 8 px
    data[3 * plane + i] = 0; // w = sigmoid(0) = 0.5 → 32 px
    data[4 * plane + i] = Math.log(0.25 / 0.75); // h = 0.25 → 8 px
    data[(5 + 1) * plane + i] = 0.7; // car
    const c = new CandidateBoxes();
    decodeFastestdet({ data, dims: [1, channels, gh, gw] }, params([0.5, 0.5, 0.5]), c);
    const r = rows(c);
    expect(r).toHaveLength(1);
    const [x1, y1, x2, y2] = r[0]!.box;
    expect(x1).toBeCloseTo(24, 4);
    expect(y1).toBeCloseTo(4, 4);
    expect(x2).toBeCloseTo(56, 4);
    expect(y2).toBeCloseTo(12, 4);
    expect(r[0]!.score).toBeCloseTo(Math.pow(0.8, 0.6) * Math.pow(0.7, 0.4), 5);
    expect(r[0]!.classId).toBe(1);
  });
});

describe('nonMaxSuppression', () => {
  it('suppresses overlaps within a class only, best score first, and honours maxDetections', () => {
    const c = new CandidateBoxes(2);
    c.push(0, 0, 10, 10, 0.6, 0); // overlaps the next one heavily (IoU 0.81)
    c.push(0, 0, 10, 9, 0.9, 0);
    c.push(0, 0, 10, 10, 0.5, 1); // same place, other class: kept
    c.push(20, 20, 30, 30, 0.7, 0); // far away: kept
    c.push(5, 0, 15, 10, 0.4, 0); // IoU with the 0.9 box = 45/145 = 0.31: kept at 0.45
    expect(nonMaxSuppression(c, { iouThreshold: 0.45 })).toEqual([1, 3, 2, 4]);
    expect(nonMaxSuppression(c, { iouThreshold: 0.3 })).toEqual([1, 3, 2]);
    expect(nonMaxSuppression(c, { iouThreshold: 0.45, maxDetections: 2 })).toEqual([1, 3]);
  });

  it('handles thousands of candidates quickly', () => {
    const c = new CandidateBoxes();
    for (let i = 0; i < 8400; i++) {
      const x = (i % 100) * 6;
      const y = Math.floor(i / 100) * 6;
      c.push(x, y, x + 20, y + 20, (i * 7919) % 1000 / 1000, i % 5);
    }
    const t0 = performance.now();
    const kept = nonMaxSuppression(c, { iouThreshold: 0.45 });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(8400);
  });
});

describe('resolveClassThresholds', () => {
  const manifest = parseModelManifest({ ...baseManifest, classThresholds: { car: 0.6 } });

  it('applies manifest per-class thresholds over the default', () => {
    expect(Array.from(resolveClassThresholds(manifest))).toEqual([0.3, Math.fround(0.6), 0.3].map(Math.fround));
  });

  it('lets the caller override the default (resetting manifest classes) and single classes', () => {
    expect(Array.from(resolveClassThresholds(manifest, { scoreThreshold: 0.5 }))).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(resolveClassThresholds(manifest, { classThresholds: { dog: 0.9 } }))).toEqual(
      [0.3, 0.6, 0.9].map(Math.fround),
    );
  });

  it('rejects unknown classes and out-of-range values', () => {
    expect(() => resolveClassThresholds(manifest, { classThresholds: { cat: 0.2 } })).toThrow(/classThresholds\.cat.*unknown class/);
    expect(() => resolveClassThresholds(manifest, { scoreThreshold: 2 })).toThrow(/scoreThreshold/);
  });
});

describe('Postprocessor', () => {
  it('applies per-class thresholds and maps boxes back through letterbox geometry', () => {
    const manifest = parseModelManifest({ ...baseManifest, family: 'yolov8', classThresholds: { dog: 0.95 } });
    const n = 2;
    const data = new Float32Array(7 * n);
    // anchor 0: person 0.5 at centre (20, 16), 8 × 8; anchor 1: dog 0.9 (below its 0.95 threshold).
    data[0] = 20;
    data[n] = 16;
    data[2 * n] = 8;
    data[3 * n] = 8;
    data[4 * n] = 0.5;
    data[6 * n + 1] = 0.9;
    const pp = new Postprocessor(manifest, { thresholds: resolveClassThresholds(manifest) });
    const dets = pp.run(
      { output: { data, dims: [1, 7, n] } },
      { geometry: { scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 4 }, sourceWidth: 128, sourceHeight: 56 },
    );
    expect(dets).toEqual([{ classId: 0, label: 'person', score: 0.5, box: [32, 16, 48, 32] }]);
  });
});

describe('preprocessPixels', () => {
  const pixels = Uint8Array.from([10, 20, 30, 40, 50, 60]); // two pixels, rgb24

  it('swaps channels, scales and normalises into NCHW', () => {
    const input = parseModelManifest({
      ...baseManifest,
      input: { ...baseManifest.input, width: 2, height: 1, channelOrder: 'bgr', scale: 0.5, mean: [1, 2, 3], std: [1, 2, 4] },
    }).input;
    const t = preprocessPixels({ data: pixels, width: 2, height: 1, pixelFormat: 'rgb24' }, input);
    // B plane (from byte 2), G plane, R plane; (v·0.5 − mean) / std.
    expect(Array.from(t)).toEqual([(15 - 1) / 1, (30 - 1) / 1, (10 - 2) / 2, (25 - 2) / 2, (5 - 3) / 4, (20 - 3) / 4]);
  });

  it('writes NHWC without a swap when the orders agree', () => {
    const input = parseModelManifest({
      ...baseManifest,
      input: { ...baseManifest.input, width: 2, height: 1, layout: 'nhwc' },
    }).input;
    const out = new Float32Array(6);
    expect(preprocessPixels({ data: pixels, width: 2, height: 1, pixelFormat: 'rgb24' }, input, out)).toBe(out);
    expect(Array.from(out)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('rejects a frame of the wrong size', () => {
    const input = parseModelManifest(baseManifest).input;
    expect(() => preprocessPixels({ data: pixels, width: 2, height: 1, pixelFormat: 'rgb24' }, input)).toThrow(
      /frame is 2x1 but the model needs 64x32/,
    );
  });
});
