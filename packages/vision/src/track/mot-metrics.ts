import type { Box } from '@sightline/protocol';
import { intersectionOverUnion } from './box-geometry.js';
import { groupMotRecordsByFrame, type MotRecord } from './mot-format.js';
import { solveLinearAssignment } from './linear-assignment.js';

/** An object on one frame: a ground-truth object or a tracker hypothesis. */
export interface MotObject {
  id: number;
  box: Box;
}

export interface MotEvaluationOptions {
  /** A hypothesis can explain a ground-truth object only at this IoU or more. Default 0.5, as in MOTChallenge. */
  iouThreshold?: number;
}

/** CLEAR-MOT and identity metrics with the definitions of py-motmetrics. */
export interface MotSummary {
  frames: number;
  /** Ground-truth boxes. */
  objects: number;
  /** Hypothesis boxes. */
  predictions: number;
  uniqueObjects: number;
  /** Ground-truth boxes explained by a hypothesis, identity switches included. */
  truePositives: number;
  falsePositives: number;
  /** Ground-truth boxes left unexplained (misses). */
  falseNegatives: number;
  /** Times an object was matched to a different hypothesis than on its previous match. */
  idSwitches: number;
  /** Times an object's track was interrupted: tracked → missed transitions between its first and last match. */
  fragmentations: number;
  /** Objects tracked on ≥ 80 % / 20–80 % / < 20 % of the frames they appear on. */
  mostlyTracked: number;
  partiallyTracked: number;
  mostlyLost: number;
  /** 1 − (FN + FP + IDSW) / objects. Can be negative. */
  mota: number;
  /** Mean distance 1 − IoU over matches, as py-motmetrics reports it; lower is better. MOTChallenge's MOTP is 1 − this. */
  motp: number;
  recall: number;
  precision: number;
  /** Identity metrics after the globally best one-to-one pairing of ground-truth ids with hypothesis ids. */
  idf1: number;
  idp: number;
  idr: number;
  idtp: number;
  idfp: number;
  idfn: number;
}

/**
 * Accumulates per-frame correspondences like py-motmetrics' MOTAccumulator: a match from the previous frame
 * is kept while it stays within the IoU threshold; the remaining objects are matched by a minimum-distance
 * assignment; a match to another hypothesis than last time counts as an identity switch.
 */
export class MotAccumulator {
  private readonly maxDistance: number;
  private frames = 0;
  private objects = 0;
  private predictions = 0;
  private truePositives = 0;
  private falsePositives = 0;
  private idSwitches = 0;
  private distanceSum = 0;
  /** Each object's hypothesis at its latest match. */
  private readonly lastMatch = new Map<number, number>();
  /** Per object, one flag per frame it appears on: 1 when matched, 0 when missed. */
  private readonly history = new Map<number, number[]>();
  private readonly objectFrames = new Map<number, number>();
  private readonly hypothesisFrames = new Map<number, number>();
  /** Frames on which object o and hypothesis h overlap enough to match, keyed "o h". */
  private readonly coOccurrence = new Map<string, { o: number; h: number; frames: number }>();

  constructor(options: MotEvaluationOptions = {}) {
    const t = options.iouThreshold ?? 0.5;
    if (!(t > 0 && t <= 1)) throw new RangeError(`iouThreshold must be within (0, 1], got ${t}`);
    this.maxDistance = 1 - t;
  }

  addFrame(groundTruth: readonly MotObject[], hypotheses: readonly MotObject[]): void {
    assertUniqueIds(groundTruth, 'ground-truth');
    assertUniqueIds(hypotheses, 'hypothesis');
    this.frames++;
    this.objects += groundTruth.length;
    this.predictions += hypotheses.length;
    const n = groundTruth.length;
    const m = hypotheses.length;

    // Distance 1 − IoU, NaN where too far apart to match.
    const dist = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const d = 1 - intersectionOverUnion(groundTruth[i]!.box, hypotheses[j]!.box);
        dist[i * m + j] = d <= this.maxDistance ? d : NaN;
        if (d <= this.maxDistance) this.countCoOccurrence(groundTruth[i]!.id, hypotheses[j]!.id);
      }
    }
    for (const g of groundTruth) this.objectFrames.set(g.id, (this.objectFrames.get(g.id) ?? 0) + 1);
    for (const h of hypotheses) this.hypothesisFrames.set(h.id, (this.hypothesisFrames.get(h.id) ?? 0) + 1);

    const gtMatched = new Uint8Array(n);
    const hypMatched = new Uint8Array(m);
    const record = (i: number, j: number) => {
      gtMatched[i] = 1;
      hypMatched[j] = 1;
      this.truePositives++;
      this.distanceSum += dist[i * m + j]!;
      this.lastMatch.set(groundTruth[i]!.id, hypotheses[j]!.id);
    };

    // 1. Keep last frame's correspondences that still hold.
    for (let i = 0; i < n; i++) {
      const previous = this.lastMatch.get(groundTruth[i]!.id);
      if (previous === undefined) continue;
      const j = hypotheses.findIndex((h, k) => h.id === previous && !hypMatched[k]);
      if (j >= 0 && !Number.isNaN(dist[i * m + j]!)) record(i, j);
    }

    // 2. Match the rest: as many pairs as possible, then the smallest total distance.
    const rows = [...Array(n).keys()].filter((i) => !gtMatched[i]);
    const cols = [...Array(m).keys()].filter((j) => !hypMatched[j]);
    const cost = new Float64Array(rows.length * cols.length);
    rows.forEach((i, r) => cols.forEach((j, c) => (cost[r * cols.length + c] = Number.isNaN(dist[i * m + j]!) ? Infinity : dist[i * m + j]!)));
    for (const [r, c] of solveLinearAssignment(cost, rows.length, cols.length).matches) {
      const i = rows[r]!;
      const j = cols[c]!;
      const previous = this.lastMatch.get(groundTruth[i]!.id);
      if (previous !== undefined && previous !== hypotheses[j]!.id) this.idSwitches++;
      record(i, j);
    }

    for (let j = 0; j < m; j++) if (!hypMatched[j]) this.falsePositives++;
    groundTruth.forEach((g, i) => {
      const h = this.history.get(g.id);
      if (h) h.push(gtMatched[i]!);
      else this.history.set(g.id, [gtMatched[i]!]);
    });
  }

  summary(): MotSummary {
    const falseNegatives = this.objects - this.truePositives;
    let fragmentations = 0;
    let mostlyTracked = 0;
    let partiallyTracked = 0;
    let mostlyLost = 0;
    for (const flags of this.history.values()) {
      fragmentations += countFragmentations(flags);
      const ratio = flags.reduce((a, b) => a + b, 0) / flags.length;
      if (ratio >= 0.8) mostlyTracked++;
      else if (ratio >= 0.2) partiallyTracked++;
      else mostlyLost++;
    }
    const { idtp } = this.identityMatching();
    const idfn = this.objects - idtp;
    const idfp = this.predictions - idtp;
    return {
      frames: this.frames,
      objects: this.objects,
      predictions: this.predictions,
      uniqueObjects: this.history.size,
      truePositives: this.truePositives,
      falsePositives: this.falsePositives,
      falseNegatives,
      idSwitches: this.idSwitches,
      fragmentations,
      mostlyTracked,
      partiallyTracked,
      mostlyLost,
      mota: 1 - (falseNegatives + this.falsePositives + this.idSwitches) / this.objects,
      motp: this.distanceSum / this.truePositives,
      recall: this.truePositives / this.objects,
      precision: this.truePositives / (this.truePositives + this.falsePositives),
      idf1: (2 * idtp) / (this.objects + this.predictions),
      idp: idtp / (idtp + idfp),
      idr: idtp / (idtp + idfn),
      idtp,
      idfp,
      idfn,
    };
  }

  private countCoOccurrence(o: number, h: number): void {
    const key = `${o} ${h}`;
    const entry = this.coOccurrence.get(key);
    if (entry) entry.frames++;
    else this.coOccurrence.set(key, { o, h, frames: 1 });
  }

  /**
   * IDF1's global pairing: each ground-truth id to at most one hypothesis id, maximising the frames on which
   * paired ids overlap (Ristani et al. 2016). That maximum is IDTP.
   */
  private identityMatching(): { idtp: number } {
    const objectIds = [...this.objectFrames.keys()];
    const hypothesisIds = [...this.hypothesisFrames.keys()];
    const row = new Map(objectIds.map((id, i) => [id, i]));
    const col = new Map(hypothesisIds.map((id, j) => [id, j]));
    const cols = hypothesisIds.length;
    const cost = new Float64Array(objectIds.length * cols);
    for (const { o, h, frames } of this.coOccurrence.values()) cost[row.get(o)! * cols + col.get(h)!] = -frames;
    const { matches } = solveLinearAssignment(cost, objectIds.length, cols, { costLimit: 0 });
    let idtp = 0;
    for (const [r, c] of matches) idtp -= cost[r * cols + c]!;
    return { idtp };
  }
}

/**
 * Evaluate MOTChallenge records over every frame that appears in either file. Records are used as given (like
 * py-motmetrics with min_confidence −1): filter out ignore-flagged ground truth (MOT16+ conf 0) beforehand.
 */
export function evaluateMotChallenge(groundTruth: readonly MotRecord[], hypotheses: readonly MotRecord[], options: MotEvaluationOptions = {}): MotSummary {
  const gtByFrame = groupMotRecordsByFrame(groundTruth);
  const hypByFrame = groupMotRecordsByFrame(hypotheses);
  const frames = [...new Set([...gtByFrame.keys(), ...hypByFrame.keys()])].sort((a, b) => a - b);
  const acc = new MotAccumulator(options);
  for (const f of frames) acc.addFrame(gtByFrame.get(f) ?? [], hypByFrame.get(f) ?? []);
  return acc.summary();
}

/** Tracked → missed transitions between an object's first and last match. */
function countFragmentations(flags: readonly number[]): number {
  const first = flags.indexOf(1);
  if (first < 0) return 0;
  const last = flags.lastIndexOf(1);
  let count = 0;
  for (let k = first + 1; k <= last; k++) if (flags[k - 1] === 1 && flags[k] === 0) count++;
  return count;
}

function assertUniqueIds(objects: readonly MotObject[], what: string): void {
  const seen = new Set<number>();
  for (const o of objects) {
    if (seen.has(o.id)) throw new RangeError(`duplicate ${what} id ${o.id} on one frame`);
    seen.add(o.id);
  }
}
