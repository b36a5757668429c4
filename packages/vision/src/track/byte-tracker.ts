import type { Detection, Track } from '@sightline/protocol';
import { intersectionOverUnion } from './box-geometry.js';
import { resolveByteTrackerOptions, type ByteTrackerOptions, type ResolvedByteTrackerOptions } from './byte-tracker-options.js';
import { FrameOrderError, InvalidDetectionError } from './errors.js';
import { KalmanBoxFilter } from './kalman-filter.js';
import { solveLinearAssignment } from './linear-assignment.js';
import { TrackedObject } from './tracked-object.js';

/** Tracked and lost tracks overlapping this much (IoU cost below it) are the same object twice. */
const DUPLICATE_COST = 0.15;

/**
 * ByteTrack (Zhang et al., ECCV 2022): IoU + Kalman multi-object tracking that also uses low-score detections.
 *
 * Per detection frame:
 * 1. high detections (score ≥ trackThresh) are matched to confirmed and lost tracks by score-fused IoU cost;
 * 2. low detections (lowThresh < score < trackThresh) are matched to tracks still unmatched and not lost,
 *    which keeps partly occluded objects tracked where their detection score dips;
 * 3. leftover high detections confirm tentative tracks; tentative tracks left unmatched are dropped;
 * 4. leftover high detections scoring ≥ newTrackThresh start tentative tracks (confirmed at once on the first frame);
 * 5. lost tracks not seen for maxTimeLost detection frames are removed.
 *
 * Three ways to advance a frame, for a pipeline that does not run the detector on every frame:
 * - `update(detections)`: the detector ran (an empty list means it saw nothing; unmatched tracks become lost).
 * - `predictOnly()`: the detector was skipped but things may have moved (e.g. running on every Nth frame):
 *   tracks coast on their Kalman motion and lost tracks age. Prefer setting frameRate to the detection rate instead.
 * - `keepAlive()`: the detector was skipped because motion gating saw a still scene. Nothing moved, so nothing is
 *   predicted, and nothing was looked at, so the frame is not counted against the lost buffer: a parked car or a
 *   seated person keeps its id for however long the scene stays still.
 */
export class ByteTracker {
  readonly options: Readonly<ResolvedByteTrackerOptions>;
  private readonly filter = new KalmanBoxFilter();
  private tracked: TrackedObject[] = [];
  private lost: TrackedObject[] = [];
  private nextId = 1;
  /** Frames on which the tracker looked for objects (update and predictOnly); the lost buffer counts these. */
  private detectionFrames = 0;
  /** The caller's frame index of the latest call, for track ages; -1 before the first. */
  private clock = -1;

  constructor(options: ByteTrackerOptions = {}) {
    this.options = resolveByteTrackerOptions(options);
  }

  /**
   * Feed one frame's detections. `frameIndex` (monotonic, gaps allowed) only sets track ages; without it each
   * call counts as one frame. Returns the confirmed tracks with their Kalman-filtered boxes.
   */
  update(detections: readonly Detection[], frameIndex?: number): Track[] {
    const candidates = validDetections(detections);
    this.advanceClock(frameIndex);
    const frame = ++this.detectionFrames;
    const o = this.options;

    const high: Detection[] = [];
    const low: Detection[] = [];
    for (const d of candidates) {
      if (d.score >= o.trackThresh) high.push(d);
      else if (d.score > o.lowThresh) low.push(d);
    }

    const tentative = this.tracked.filter((t) => !t.activated);
    // The reference leaves tentative tracks unpredicted: they have no velocity yet.
    const pool = [...this.tracked.filter((t) => t.activated), ...this.lost];
    for (const t of pool) t.predict(this.filter);

    // 1. High detections against confirmed and lost tracks.
    const first = this.associate(pool, high, o.matchThresh, o.fuseScore);
    for (const [ti, di] of first.matches) pool[ti]!.absorb(high[di]!, this.filter, frame, o.scoreSmoothing);

    // 2. Low detections against what is still unmatched and was tracked on the previous frame.
    const stillTracked = first.unmatchedTracks.map((i) => pool[i]!).filter((t) => t.lifecycle === 'tracked');
    const second = this.associate(stillTracked, low, o.lowMatchThresh, false);
    for (const [ti, di] of second.matches) stillTracked[ti]!.absorb(low[di]!, this.filter, frame, o.scoreSmoothing);
    for (const ti of second.unmatchedTracks) stillTracked[ti]!.lifecycle = 'lost';

    // 3. Leftover high detections confirm tentative tracks; a tentative track missed once is dropped.
    const leftover = first.unmatchedDetections.map((i) => high[i]!);
    const third = this.associate(tentative, leftover, o.tentativeMatchThresh, o.fuseScore);
    for (const [ti, di] of third.matches) tentative[ti]!.absorb(leftover[di]!, this.filter, frame, o.scoreSmoothing);
    for (const ti of third.unmatchedTracks) tentative[ti]!.lifecycle = 'removed';

    // 4. New tracks from confident unmatched detections.
    const born: TrackedObject[] = [];
    for (const di of third.unmatchedDetections) {
      const d = leftover[di]!;
      if (d.score < o.newTrackThresh) continue;
      born.push(new TrackedObject(this.nextId++, d, this.filter, frame, this.clock, frame === 1));
    }

    this.settle([...this.tracked, ...this.lost, ...born]);
    return this.confirmedTracks();
  }

  /**
   * A frame on which the detector did not run but objects may have moved: confirmed and lost tracks coast
   * on their predicted motion, and the frame counts against the lost buffer. Returns the confirmed tracks.
   */
  predictOnly(frameIndex?: number): Track[] {
    this.advanceClock(frameIndex);
    ++this.detectionFrames;
    for (const t of [...this.tracked.filter((t) => t.activated), ...this.lost]) t.predict(this.filter);
    this.settle([...this.tracked, ...this.lost]);
    return this.confirmedTracks();
  }

  /**
   * A frame on which the detector did not run because the scene is still (motion gating). Tracks neither move
   * nor age towards removal; only their reported age grows. Returns the confirmed tracks as they were.
   */
  keepAlive(frameIndex?: number): Track[] {
    this.advanceClock(frameIndex);
    return this.confirmedTracks();
  }

  /** Confirmed tracks as of the latest frame. */
  confirmedTracks(): Track[] {
    return this.tracked.filter((t) => t.activated).map((t) => t.toTrack(this.clock));
  }

  /** Tracks out of sight but still kept for re-identification, at their predicted positions. */
  lostTracks(): Track[] {
    return this.lost.map((t) => t.toTrack(this.clock));
  }

  /** Tracks seen once and waiting for a second detection to be confirmed. */
  tentativeTracks(): Track[] {
    return this.tracked.filter((t) => !t.activated).map((t) => t.toTrack(this.clock));
  }

  private advanceClock(frameIndex: number | undefined): void {
    if (frameIndex === undefined) {
      this.clock++;
      return;
    }
    if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new RangeError(`frame index must be a non-negative integer, got ${frameIndex}`);
    if (frameIndex < this.clock) throw new FrameOrderError(frameIndex, this.clock);
    this.clock = frameIndex;
  }

  /** Expire old lost tracks, drop duplicates, and regroup everything by lifecycle. */
  private settle(all: TrackedObject[]): void {
    for (const t of all) {
      if (t.lifecycle === 'lost' && this.detectionFrames - t.lastSeenFrame > this.options.maxTimeLost) t.lifecycle = 'removed';
    }
    const tracked = all.filter((t) => t.lifecycle === 'tracked');
    const lost = all.filter((t) => t.lifecycle === 'lost');
    this.dropDuplicates(tracked, lost);
    this.tracked = tracked.filter((t) => t.lifecycle === 'tracked');
    this.lost = lost.filter((t) => t.lifecycle === 'lost');
  }

  /**
   * A lost track can be re-born as a new track before it is re-identified; when the two nearly coincide,
   * keep the one with the longer history.
   */
  private dropDuplicates(tracked: TrackedObject[], lost: TrackedObject[]): void {
    for (const a of tracked) {
      for (const b of lost) {
        if (b.lifecycle !== 'lost' || a.lifecycle !== 'tracked') continue;
        if (this.options.classAware && a.classId !== b.classId) continue;
        if (1 - intersectionOverUnion(a.box, b.box) >= DUPLICATE_COST) continue;
        const lifeA = a.lastSeenFrame - a.startFrame;
        const lifeB = b.lastSeenFrame - b.startFrame;
        if (lifeA > lifeB) b.lifecycle = 'removed';
        else a.lifecycle = 'removed';
      }
    }
  }

  /** Optimal IoU-cost matching of tracks to detections, forbidding cross-class pairs when class-aware. */
  private associate(tracks: readonly TrackedObject[], detections: readonly Detection[], costLimit: number, fuseScore: boolean) {
    const rows = tracks.length;
    const cols = detections.length;
    const cost = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const t = tracks[r]!;
      const box = t.box;
      for (let c = 0; c < cols; c++) {
        const d = detections[c]!;
        if (this.options.classAware && d.classId !== t.classId) {
          cost[r * cols + c] = Infinity;
          continue;
        }
        const similarity = intersectionOverUnion(box, d.box) * (fuseScore ? d.score : 1);
        cost[r * cols + c] = 1 - similarity;
      }
    }
    const a = solveLinearAssignment(cost, rows, cols, { costLimit });
    return { matches: a.matches, unmatchedTracks: a.unmatchedRows, unmatchedDetections: a.unmatchedCols };
  }
}

/**
 * Reject malformed detections loudly and skip empty boxes quietly: a zero-height box has no aspect ratio
 * to track, and detectors legitimately emit one when an object is clipped to a line at the frame border.
 */
function validDetections(detections: readonly Detection[]): Detection[] {
  const out: Detection[] = [];
  detections.forEach((d, i) => {
    const [x1, y1, x2, y2] = d.box;
    if (![x1, y1, x2, y2].every(Number.isFinite)) throw new InvalidDetectionError(i, `box has a non-finite coordinate: [${d.box.join(', ')}]`);
    if (x2 < x1 || y2 < y1) throw new InvalidDetectionError(i, `box is inverted: [${d.box.join(', ')}]`);
    if (!(d.score >= 0 && d.score <= 1)) throw new InvalidDetectionError(i, `score must be within 0-1, got ${d.score}`);
    if (!Number.isInteger(d.classId) || d.classId < 0) throw new InvalidDetectionError(i, `classId must be a non-negative integer, got ${d.classId}`);
    if (x2 > x1 && y2 > y1) out.push(d);
  });
  return out;
}
