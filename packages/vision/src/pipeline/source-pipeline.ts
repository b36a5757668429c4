import type { AnalyticsConfig } from '@sightline/protocol';
import type { Detector } from '../detect/detector.js';
import { FrameSource } from '../source/frame-source.js';
import type { FrameSourceOptions } from '../source/frame-source-options.js';
import { probeSource } from '../source/probe-source.js';
import { resolveSourceInput } from '../source/source-input.js';
import { ByteTracker } from '../track/byte-tracker.js';
import type { ByteTrackerOptions } from '../track/byte-tracker-options.js';
import { ZoneLineAnalytics } from '../analytics/zone-line-analytics.js';
import { CameraPipeline, type PipelineFrameOutput } from './camera-pipeline.js';
import { MotionDetectionGate, type MotionDetectionGateOptions } from './motion-detection-gate.js';

export interface SourcePipelineOptions {
  cameraId: string;
  /** File path, rtsp://, http(s)://, HLS .m3u8, /dev/videoN or lavfi:<graph>. */
  source: string;
  detector: Detector;
  analytics?: AnalyticsConfig;
  /** Analysis rate; the source's own rate when absent. */
  fps?: number;
  /** Motion gating: on by default for live sources, off for files (every frame of a file is analysed). */
  motion?: boolean | MotionDetectionGateOptions;
  live?: boolean;
  /**
   * Deliver frames at source resolution (for annotation) and resize for the detector in JavaScript, so both see
   * the very same picture. Otherwise ffmpeg scales straight to the detector's input, which is cheaper.
   */
  sourceResolutionFrames?: boolean;
  tracker?: ByteTrackerOptions;
  analyticsOptions?: { exitAfterMissingSeconds?: number; minFramesInside?: number };
  frameSource?: Partial<FrameSourceOptions>;
  maxInFlight?: number;
  onFrame?: (output: PipelineFrameOutput) => void | Promise<void>;
}

export interface SourcePipeline {
  pipeline: CameraPipeline;
  source: FrameSource;
  gate: MotionDetectionGate | undefined;
  analytics: ZoneLineAnalytics;
  tracker: ByteTracker;
  /** The analysis rate the tracker was tuned for. */
  fps: number;
}

/** Wires a frame source, optional motion gate, the shared detector, a tracker and analytics for one camera. */
export async function createSourcePipeline(options: SourcePipelineOptions): Promise<SourcePipeline> {
  const { detector } = options;
  const spec = detector.inputSpec;
  const live = options.live ?? resolveSourceInput(options.source).live;
  const needsProbe = options.sourceResolutionFrames || options.fps === undefined;
  const probe = needsProbe ? await probeSource(options.source, { live }) : undefined;
  const fps = options.fps ?? (probe?.fps && probe.fps > 0 ? probe.fps : 25);

  const sourceOptions: FrameSourceOptions = options.sourceResolutionFrames
    ? { width: probe!.width, height: probe!.height, resize: 'stretch', pixelFormat: spec.pixelFormat }
    : { width: spec.width, height: spec.height, resize: spec.resize, letterboxAlign: spec.align, padValue: spec.padValue, pixelFormat: spec.pixelFormat, scaler: spec.scaler };
  const source = new FrameSource(options.source, { ...sourceOptions, fps: options.fps, live, ...options.frameSource });

  const motion = options.motion ?? live;
  const gate = motion ? new MotionDetectionGate(typeof motion === 'object' ? motion : {}) : undefined;
  const tracker = new ByteTracker({ frameRate: fps, ...options.tracker });
  const analytics = new ZoneLineAnalytics({
    cameraId: options.cameraId,
    config: options.analytics ?? { zones: [], lines: [] },
    ...options.analyticsOptions,
  });
  const pipeline = new CameraPipeline({
    cameraId: options.cameraId,
    frames: source,
    detector,
    tracker,
    analytics,
    gate,
    detectorInput: options.sourceResolutionFrames
      ? { width: spec.width, height: spec.height, resize: spec.resize, align: spec.align, padValue: spec.padValue }
      : undefined,
    maxInFlight: options.maxInFlight,
    onFrame: options.onFrame,
    onStop: () => source.stop(),
  });
  return { pipeline, source, gate, analytics, tracker, fps };
}
