export { MotionDetector, type MotionDetectorOptions, type MotionResult, type MotionRegion } from './motion-detector.js';
export { MotionGate, type MotionGateOptions, type GateDecision, type GateReason } from './motion-gate.js';
