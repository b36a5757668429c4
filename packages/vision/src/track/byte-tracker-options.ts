import { TrackerOptionsError } from './errors.js';

/** Tuning of {@link ByteTracker}. Defaults are those of the ByteTrack reference (MOT17 settings). */
export interface ByteTrackerOptions {
  /** Detections scoring at least this are "high" and may start tracks. Default 0.5. */
  trackThresh?: number;
  /** Detections scoring above this but below trackThresh are "low": they only extend existing tracks. Default 0.1. */
  lowThresh?: number;
  /** A new track starts only from an unmatched high detection scoring at least this. Default trackThresh + 0.1. */
  newTrackThresh?: number;
  /** IoU-cost limit (1 − IoU, score-fused) when matching high detections to tracked and lost tracks. Default 0.8. */
  matchThresh?: number;
  /** IoU-cost limit when matching low detections to tracks still tracked. Default 0.5. */
  lowMatchThresh?: number;
  /** IoU-cost limit when matching leftover high detections to tentative tracks. Default 0.7. */
  tentativeMatchThresh?: number;
  /** Frames a lost track is kept for re-identification, at 30 fps; scaled by frameRate. Default 30. */
  trackBuffer?: number;
  /** Rate at which update() is called, in frames per second. Default 30. */
  frameRate?: number;
  /** Multiply IoU similarity by the detection score in the high and tentative stages (ByteTrack's fuse_score). Default true. */
  fuseScore?: boolean;
  /** Never match a detection to a track of another class. Default true. */
  classAware?: boolean;
  /**
   * Weight of the track's previous score when a new detection arrives: score = w·old + (1−w)·detection.
   * 0 reports the latest detection score as the reference does. Default 0.5.
   */
  scoreSmoothing?: number;
}

export type ResolvedByteTrackerOptions = Required<ByteTrackerOptions> & {
  /** Frames after which a lost track is removed: floor(frameRate / 30 · trackBuffer). */
  maxTimeLost: number;
};

/** Fill in defaults and reject impossible settings with an error naming the option. */
export function resolveByteTrackerOptions(options: ByteTrackerOptions = {}): ResolvedByteTrackerOptions {
  const trackThresh = options.trackThresh ?? 0.5;
  const resolved = {
    trackThresh,
    lowThresh: options.lowThresh ?? 0.1,
    newTrackThresh: options.newTrackThresh ?? trackThresh + 0.1,
    matchThresh: options.matchThresh ?? 0.8,
    lowMatchThresh: options.lowMatchThresh ?? 0.5,
    tentativeMatchThresh: options.tentativeMatchThresh ?? 0.7,
    trackBuffer: options.trackBuffer ?? 30,
    frameRate: options.frameRate ?? 30,
    fuseScore: options.fuseScore ?? true,
    classAware: options.classAware ?? true,
    scoreSmoothing: options.scoreSmoothing ?? 0.5,
  };
  const unit = ['trackThresh', 'lowThresh', 'newTrackThresh', 'scoreSmoothing'] as const;
  for (const key of unit) {
    const v = resolved[key];
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) throw new TrackerOptionsError(key, `must be within 0-1, got ${v}`);
  }
  // Costs are 1 − IoU (times score), so limits above 1 would let non-overlapping boxes match.
  const costs = ['matchThresh', 'lowMatchThresh', 'tentativeMatchThresh'] as const;
  for (const key of costs) {
    const v = resolved[key];
    if (!(Number.isFinite(v) && v > 0 && v <= 1)) throw new TrackerOptionsError(key, `must be within (0, 1], got ${v}`);
  }
  if (resolved.lowThresh > resolved.trackThresh) {
    throw new TrackerOptionsError('lowThresh', `must not exceed trackThresh (${resolved.trackThresh}), got ${resolved.lowThresh}`);
  }
  if (!(Number.isInteger(resolved.trackBuffer) && resolved.trackBuffer >= 0)) {
    throw new TrackerOptionsError('trackBuffer', `must be a non-negative integer, got ${resolved.trackBuffer}`);
  }
  if (!(Number.isFinite(resolved.frameRate) && resolved.frameRate > 0)) {
    throw new TrackerOptionsError('frameRate', `must be a positive number, got ${resolved.frameRate}`);
  }
  for (const key of ['fuseScore', 'classAware'] as const) {
    if (typeof resolved[key] !== 'boolean') throw new TrackerOptionsError(key, 'must be a boolean');
  }
  return { ...resolved, maxTimeLost: Math.floor((resolved.frameRate / 30) * resolved.trackBuffer) };
}
