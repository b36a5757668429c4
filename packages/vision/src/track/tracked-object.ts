import type { Box, Detection, Track, TrackState } from '@sightline/protocol';
import { boxToMeasurement, measurementToBox } from './box-geometry.js';
import type { KalmanBoxFilter, KalmanState } from './kalman-filter.js';

/** Where a track is in its life, as ByteTrack sees it; `activated` separates tentative from confirmed. */
type Lifecycle = 'tracked' | 'lost' | 'removed';

interface ClassVote {
  label: string;
  weight: number;
}

/**
 * One object followed by the tracker: its Kalman belief, smoothed score and class.
 * Frame counters here are the tracker's detection-frame count (what the lost buffer is measured in);
 * `firstClock` is the caller's frame index, used only to report age.
 */
export class TrackedObject {
  lifecycle: Lifecycle = 'tracked';
  /** Confirmed: seen on two frames in a row, or on the tracker's first frame. */
  activated: boolean;
  score: number;
  classId: number;
  label: string;
  /** Detection frame on which the object was last matched (ByteTrack's end_frame). */
  lastSeenFrame: number;
  private kalman: KalmanState;
  private readonly votes = new Map<number, ClassVote>();

  constructor(
    readonly trackId: number,
    detection: Detection,
    filter: KalmanBoxFilter,
    /** Detection frame on which the object was first seen. */
    readonly startFrame: number,
    readonly firstClock: number,
    activated: boolean,
  ) {
    this.kalman = filter.initiate(boxToMeasurement(detection.box));
    this.activated = activated;
    this.score = detection.score;
    this.classId = detection.classId;
    this.label = detection.label;
    this.lastSeenFrame = startFrame;
    this.vote(detection);
  }

  /** The current Kalman estimate as [x1, y1, x2, y2]. */
  get box(): Box {
    return measurementToBox(this.kalman.mean);
  }

  get publicState(): TrackState {
    if (this.lifecycle === 'removed') return 'removed';
    if (this.lifecycle === 'lost') return 'lost';
    return this.activated ? 'confirmed' : 'tentative';
  }

  /** Move the belief one frame ahead. */
  predict(filter: KalmanBoxFilter): void {
    const state = this.kalman;
    if (this.lifecycle !== 'tracked') {
      // As the reference does: an unseen object should not keep growing or shrinking.
      state.mean[7] = 0;
    }
    this.kalman = filter.predict(state);
  }

  /** Fuse a matched detection; also revives a lost track and confirms a tentative one. */
  absorb(detection: Detection, filter: KalmanBoxFilter, frame: number, scoreSmoothing: number): void {
    this.kalman = filter.update(this.kalman, boxToMeasurement(detection.box));
    this.lifecycle = 'tracked';
    this.activated = true;
    this.lastSeenFrame = frame;
    this.score = scoreSmoothing * this.score + (1 - scoreSmoothing) * detection.score;
    this.vote(detection);
  }

  toTrack(clock: number): Track {
    const [x1, y1, x2, y2] = this.box;
    // A Kalman estimate can in principle go degenerate; never hand out an inverted box.
    const box: Box = [x1, y1, Math.max(x1, x2), Math.max(y1, y2)];
    return {
      trackId: this.trackId,
      classId: this.classId,
      label: this.label,
      score: this.score,
      box,
      state: this.publicState,
      age: Math.max(0, clock - this.firstClock),
    };
  }

  /** Score-weighted class vote, so a class-agnostic tracker reports the class seen most confidently, not the last one. */
  private vote(detection: Detection): void {
    const vote = this.votes.get(detection.classId);
    if (vote) vote.weight += detection.score;
    else this.votes.set(detection.classId, { label: detection.label, weight: detection.score });
    let best = this.votes.get(this.classId);
    for (const [classId, candidate] of this.votes) {
      if (!best || candidate.weight > best.weight) {
        best = candidate;
        this.classId = classId;
      }
    }
    if (best) this.label = best.label;
  }
}
