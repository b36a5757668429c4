import type { Box } from '@sightline/protocol';

export interface GroundTruthBox {
  classId: number;
  box: Box;
}

export interface PredictedBox {
  classId: number;
  box: Box;
  score: number;
}

/** One image's labels and a detector's output for it, in the same pixel units. */
export interface ImageEvaluation {
  groundTruth: GroundTruthBox[];
  predictions: PredictedBox[];
}

export function boxIou(a: Box, b: Box): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** IoU thresholds 0.50, 0.55, ..., 0.95 as COCO uses them. */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);

/**
 * Greedy one-to-one matching within one image and class: predictions in descending score order each take
 * the unmatched ground-truth box they overlap most, if that IoU is at least `iouThreshold`.
 * Returns, per prediction (in the order given), whether it matched.
 */
function matchImageClass(preds: readonly PredictedBox[], gts: readonly GroundTruthBox[], iouThreshold: number): boolean[] {
  const taken = new Uint8Array(gts.length);
  return preds.map((p) => {
    let best = -1;
    let bestIou = iouThreshold;
    gts.forEach((g, j) => {
      if (taken[j]) return;
      const v = boxIou(p.box, g.box);
      if (v >= bestIou) {
        bestIou = v;
        best = j;
      }
    });
    if (best < 0) return false;
    taken[best] = 1;
    return true;
  });
}

const byScore = (a: PredictedBox, b: PredictedBox) => b.score - a.score;

function groupByClass<T extends { classId: number }>(items: readonly T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const it of items) {
    let list = m.get(it.classId);
    if (!list) m.set(it.classId, (list = []));
    list.push(it);
  }
  return m;
}

/**
 * COCO 101-point interpolated AP from score-sorted match flags: precision made non-increasing from
 * the right, then read at recall 0, 0.01, ..., 1 (0 where that recall is never reached).
 */
export function interpolatedAp101(matchesByScore: readonly boolean[], numGroundTruth: number): number {
  if (numGroundTruth === 0) return 0;
  const n = matchesByScore.length;
  const recall = new Float64Array(n);
  const precision = new Float64Array(n);
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (matchesByScore[i]) tp++;
    recall[i] = tp / numGroundTruth;
    precision[i] = tp / (i + 1);
  }
  for (let i = n - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let sum = 0;
  let k = 0;
  for (let r = 0; r <= 100; r++) {
    const target = r / 100;
    // COCO's searchsorted(side='left'): first index with recall >= target (with a tolerance for 0.07 vs 7/100).
    while (k < n && recall[k]! < target - 1e-12) k++;
    if (k < n) sum += precision[k]!;
  }
  return sum / 101;
}

export interface ClassAp {
  classId: number;
  groundTruth: number;
  ap50: number;
  /** Mean over IoU 0.50:0.95. */
  ap: number;
}

export interface MapResult {
  map50: number;
  map50to95: number;
  /** Classes that have at least one ground-truth box, which are the ones averaged. */
  perClass: ClassAp[];
}

/**
 * COCO-style mAP: per class and IoU threshold, predictions of all images sorted by score and matched per
 * image; 101-point interpolated AP; averaged over the classes present in the ground truth.
 * At most `maxDetectionsPerImage` predictions per image and class count (COCO's maxDets, default 100).
 */
export function meanAveragePrecision(images: readonly ImageEvaluation[], maxDetectionsPerImage = 100): MapResult {
  const gtCount = new Map<number, number>();
  for (const img of images) for (const g of img.groundTruth) gtCount.set(g.classId, (gtCount.get(g.classId) ?? 0) + 1);
  const perImage = images.map((img) => ({
    gts: groupByClass(img.groundTruth),
    preds: new Map([...groupByClass(img.predictions)].map(([c, ps]) => [c, [...ps].sort(byScore).slice(0, maxDetectionsPerImage)])),
  }));
  const perClass: ClassAp[] = [];
  for (const [classId, numGt] of [...gtCount].sort((a, b) => a[0] - b[0])) {
    const aps = COCO_IOU_THRESHOLDS.map((t) => {
      const scored: { score: number; tp: boolean }[] = [];
      for (const img of perImage) {
        const preds = img.preds.get(classId) ?? [];
        const flags = matchImageClass(preds, img.gts.get(classId) ?? [], t);
        preds.forEach((p, i) => scored.push({ score: p.score, tp: flags[i]! }));
      }
      scored.sort((a, b) => b.score - a.score);
      return interpolatedAp101(scored.map((s) => s.tp), numGt);
    });
    perClass.push({ classId, groundTruth: numGt, ap50: aps[0]!, ap: aps.reduce((a, b) => a + b, 0) / aps.length });
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return { map50: mean(perClass.map((c) => c.ap50)), map50to95: mean(perClass.map((c) => c.ap)), perClass };
}

export interface MatchSummary {
  predictions: number;
  truePositives: number;
  groundTruth: number;
  recall: number;
  precision: number;
}

/**
 * Recall and precision at fixed score thresholds with greedy one-to-one same-class matching at
 * `iouThreshold` (the MANIFEST reference method). `scoreThreshold` may differ per class.
 */
export function precisionRecallAt(
  images: readonly ImageEvaluation[],
  scoreThreshold: number | ((classId: number) => number),
  iouThreshold = 0.5,
): MatchSummary {
  const thr = typeof scoreThreshold === 'number' ? () => scoreThreshold : scoreThreshold;
  let predictions = 0;
  let truePositives = 0;
  let groundTruth = 0;
  for (const img of images) {
    groundTruth += img.groundTruth.length;
    const gts = groupByClass(img.groundTruth);
    const kept = img.predictions.filter((p) => p.score >= thr(p.classId));
    predictions += kept.length;
    for (const [classId, preds] of groupByClass(kept)) {
      const flags = matchImageClass(preds.sort(byScore), gts.get(classId) ?? [], iouThreshold);
      truePositives += flags.filter(Boolean).length;
    }
  }
  return {
    predictions,
    truePositives,
    groundTruth,
    recall: groundTruth ? truePositives / groundTruth : 0,
    precision: predictions ? truePositives / predictions : 0,
  };
}
