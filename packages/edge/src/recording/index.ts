export type { TsTap } from './ts-tap.js';
export { SegmentRecorder, type SegmentRecorderOptions, type SegmentRecorderStats, type RecordingLog, type FinishedSegment } from './segment-recorder.js';
export { RecordingUploader, type RecordingUploaderOptions, type RecordingUploaderStats } from './recording-uploader.js';
export { CameraRecording, type CameraRecordingOptions, type CameraRecordingStats } from './camera-recording.js';
export { SegmentIndex, type LocalSegment, type SegmentCounters } from './segment-index.js';
export { EventWindows } from './event-windows.js';
export { tiedChildCount } from './child-lifetime.js';
export { CameraRecordings, type CameraRecordingsOptions } from './camera-recordings.js';
