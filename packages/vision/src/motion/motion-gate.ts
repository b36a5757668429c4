import type { MotionResult } from './motion-detector.js';

/** Why the gate let a frame through to the detector, or `idle` when it did not. */
export type GateReason = 'first' | 'motion' | 'hangover' | 'lighting' | 'heartbeat' | 'idle';

export interface GateDecision {
  run: boolean;
  reason: GateReason;
}

export interface MotionGateOptions {
  /** Keep running the detector this many source seconds after the last motion, so an object that stops is still followed. Default 1. */
  hangoverSeconds?: number;
  /**
   * Run the detector at least this often (source seconds) even when nothing moves, so an object
   * the background has absorbed (a newly parked car) is still seen. Default 5; Infinity disables.
   */
  heartbeatSeconds?: number;
  /** Run on frames the motion detector took for a lighting change, when it cannot see motion. Default true. */
  runOnLighting?: boolean;
}

const DEFAULTS = { hangoverSeconds: 1, heartbeatSeconds: 5, runOnLighting: true };

/** Decides per frame whether the object detector runs, from the motion detector's verdict and the frame's pts. */
export class MotionGate {
  private readonly hangoverSeconds: number;
  private readonly heartbeatSeconds: number;
  private readonly runOnLighting: boolean;
  private lastRunPts: number | undefined;
  private lastMotionPts: number | undefined;

  constructor(options: MotionGateOptions = {}) {
    this.hangoverSeconds = options.hangoverSeconds ?? DEFAULTS.hangoverSeconds;
    this.heartbeatSeconds = options.heartbeatSeconds ?? DEFAULTS.heartbeatSeconds;
    this.runOnLighting = options.runOnLighting ?? DEFAULTS.runOnLighting;
    if (!(this.hangoverSeconds >= 0)) throw new RangeError(`hangoverSeconds must be >= 0, got ${this.hangoverSeconds}`);
    if (!(this.heartbeatSeconds > 0)) throw new RangeError(`heartbeatSeconds must be > 0, got ${this.heartbeatSeconds}`);
  }

  decide(result: Pick<MotionResult, 'motion' | 'lighting'>, pts: number): GateDecision {
    if (!Number.isFinite(pts)) throw new RangeError(`pts must be a finite number, got ${pts}`);
    const reason = this.reasonFor(result, pts);
    if (reason === 'idle') return { run: false, reason };
    this.lastRunPts = pts;
    return { run: true, reason };
  }

  /** Starts over, as for a new source: the next frame runs. */
  reset(): void {
    this.lastRunPts = undefined;
    this.lastMotionPts = undefined;
  }

  private reasonFor(result: Pick<MotionResult, 'motion' | 'lighting'>, pts: number): GateReason {
    // Time going backwards means a new or restarted source: start over.
    if (this.lastRunPts === undefined || pts < this.lastRunPts) {
      this.reset();
      if (result.motion) this.lastMotionPts = pts;
      return 'first';
    }
    if (result.motion) {
      this.lastMotionPts = pts;
      return 'motion';
    }
    if (result.lighting && this.runOnLighting) return 'lighting';
    if (this.lastMotionPts !== undefined && pts - this.lastMotionPts <= this.hangoverSeconds) return 'hangover';
    if (pts - this.lastRunPts >= this.heartbeatSeconds) return 'heartbeat';
    return 'idle';
  }
}
