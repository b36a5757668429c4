export { ByteTracker } from './byte-tracker.js';
export { resolveByteTrackerOptions, type ByteTrackerOptions, type ResolvedByteTrackerOptions } from './byte-tracker-options.js';
export { KalmanBoxFilter, type BoxMeasurement, type KalmanState } from './kalman-filter.js';
export { solveLinearAssignment, type Assignment, type AssignmentOptions } from './linear-assignment.js';
export { parseMotChallenge, groupMotRecordsByFrame, formatMotChallengeLine, type MotRecord } from './mot-format.js';
export { MotAccumulator, evaluateMotChallenge, type MotObject, type MotEvaluationOptions, type MotSummary } from './mot-metrics.js';
export { TrackerOptionsError, InvalidDetectionError, FrameOrderError, MotFormatError } from './errors.js';
export { loadMotSequence, trackMotDetections, mot15ConfidenceToScore, type MotSequence, type MotSequenceRun, type MotSequenceOptions } from './mot-sequence.js';
