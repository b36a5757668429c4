import { describe, expect, it } from 'vitest';
import { interpolatedAp101, meanAveragePrecision, precisionRecallAt, type ImageEvaluation } from '../../src/detect/coco-metrics.js';

describe('interpolatedAp101', () => {
  it('reads the non-increasing precision envelope at 101 recall points', () => {
    // 2 ground truths; ranked TP, FP, TP: recall 0.5, 0.5, 1; precision 1, 0.5, 0.667.
    // Envelope: recall ≤ 0.5 → 1 (51 points), recall 0.51..1 → 2/3 (50 points).
    expect(interpolatedAp101([true, false, true], 2)).toBeCloseTo((51 * 1 + 50 * (2 / 3)) / 101, 10);
    expect(interpolatedAp101([true, true], 2)).toBeCloseTo(1, 10);
    expect(interpolatedAp101([false], 1)).toBe(0);
    // Recall never reaches above 0.5: the upper 50 points count 0.
    expect(interpolatedAp101([true], 2)).toBeCloseTo(51 / 101, 10);
  });
});

describe('meanAveragePrecision and precisionRecallAt', () => {
  const images: ImageEvaluation[] = [
    {
      groundTruth: [
        { classId: 0, box: [0, 0, 10, 10] },
        { classId: 1, box: [20, 20, 30, 30] },
      ],
      predictions: [
        { classId: 0, box: [0, 0, 10, 10], score: 0.9 }, // exact: TP at every IoU
        { classId: 0, box: [0, 0, 10, 10], score: 0.8 }, // duplicate: FP
        { classId: 1, box: [20, 20, 30, 36], score: 0.7 }, // IoU 100/160 = 0.625: TP up to 0.6
        { classId: 2, box: [50, 50, 60, 60], score: 0.95 }, // class without ground truth: ignored by mAP
      ],
    },
    {
      groundTruth: [{ classId: 0, box: [0, 0, 10, 10] }],
      predictions: [{ classId: 0, box: [40, 40, 50, 50], score: 0.85 }], // FP
    },
  ];

  it('averages over classes present in the ground truth and over IoU 0.50:0.95', () => {
    const r = meanAveragePrecision(images);
    expect(r.perClass.map((c) => c.classId)).toEqual([0, 1]);
    // Class 0: ranked TP(0.9), FP(0.85), FP(0.8) over 2 GT → recall tops out at 0.5 with precision 1: 51/101.
    const class0 = 51 / 101;
    expect(r.perClass[0]!.ap50).toBeCloseTo(class0, 10);
    expect(r.perClass[0]!.ap).toBeCloseTo(class0, 10);
    // Class 1: AP 1 at IoU 0.50, 0.55, 0.60, then 0.
    expect(r.perClass[1]!.ap50).toBeCloseTo(1, 10);
    expect(r.perClass[1]!.ap).toBeCloseTo(0.3, 10);
    expect(r.map50).toBeCloseTo((class0 + 1) / 2, 10);
    expect(r.map50to95).toBeCloseTo((class0 + 0.3) / 2, 10);
  });

  it('counts greedy one-to-one same-class matches at IoU 0.5 above a score threshold', () => {
    expect(precisionRecallAt(images, 0.75)).toEqual({
      predictions: 4, truePositives: 1, groundTruth: 3, recall: 1 / 3, precision: 1 / 4,
    });
    expect(precisionRecallAt(images, (c) => (c === 2 ? 1 : 0.5))).toMatchObject({ predictions: 4, truePositives: 2 });
  });
});
