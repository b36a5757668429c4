import type { Frame } from '../frame.js';
import { MotionDetector, type MotionDetectorOptions, type MotionResult } from '../motion/motion-detector.js';
import { MotionGate, type GateDecision, type MotionGateOptions } from '../motion/motion-gate.js';
import type { DetectionGate } from './camera-pipeline.js';

export interface MotionDetectionGateOptions {
  motion?: MotionDetectorOptions;
  gate?: MotionGateOptions;
}

/** Runs the detector only when the motion detector (plus the gate's hangover and heartbeat) says so. */
export class MotionDetectionGate implements DetectionGate {
  private readonly motion: MotionDetector;
  private readonly gate: MotionGate;
  lastResult: MotionResult | undefined;
  lastDecision: GateDecision | undefined;
  readonly reasons: Record<string, number> = {};

  constructor(options: MotionDetectionGateOptions = {}) {
    this.motion = new MotionDetector(options.motion);
    this.gate = new MotionGate(options.gate);
  }

  shouldDetect(frame: Frame): boolean {
    this.lastResult = this.motion.update(frame);
    this.lastDecision = this.gate.decide(this.lastResult, frame.pts);
    this.reasons[this.lastDecision.reason] = (this.reasons[this.lastDecision.reason] ?? 0) + 1;
    return this.lastDecision.run;
  }
}
