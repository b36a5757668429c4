import { EventEmitter } from 'node:events';
import type { AnalyticsState, Detection, FrameResult, SightlineEvent, Track } from '@sightline/protocol';
import type { Frame } from '../frame.js';
import { resizeFrame, type ResizeSpec } from '../frame-resize.js';
import { DetectorError } from '../detect/errors.js';

/** What the pipeline needs from a detector: the pool in ../detect satisfies it. */
export interface FrameDetector {
  detect(frame: Frame, cameraId: string): Promise<Detection[]>;
  /** How many frames of one camera the detector holds before it drops; the pipeline stays within it. */
  readonly maxQueuePerCamera?: number;
}

/** What the pipeline needs from a tracker: ByteTracker in ../track satisfies it. */
export interface FrameTracker {
  update(detections: Detection[], frameIndex: number): Track[];
  /** A frame the detector skipped (still scene): keep tracks alive without ageing them. */
  keepAlive(frameIndex: number): Track[];
}

/** What the pipeline needs from analytics: ZoneLineAnalytics in ../analytics satisfies it. */
export interface FrameAnalytics {
  update(input: { tracks: Track[]; frameIndex: number; pts: number; width: number; height: number; wallTime: number }): SightlineEvent[];
  flush(pts: number, wallTime: number): SightlineEvent[];
  state(): AnalyticsState;
}

/** Decides per frame whether the detector runs: MotionGate in ../motion satisfies it. */
export interface DetectionGate {
  shouldDetect(frame: Frame): boolean;
}

export interface CameraPipelineOptions {
  cameraId: string;
  frames: AsyncIterable<Frame>;
  detector: FrameDetector;
  tracker: FrameTracker;
  analytics: FrameAnalytics;
  gate?: DetectionGate;
  /**
   * When frames arrive at source resolution (for annotation), the size the detector wants; the pipeline resizes
   * in JavaScript so detector and annotation see the same picture. Leave unset when the source already delivers
   * detector-sized frames.
   */
  detectorInput?: ResizeSpec;
  /**
   * How many frames may be at the detector at once. More than one keeps every worker busy while the next frame
   * is decoded; results are still consumed in frame order.
   */
  maxInFlight?: number;
  /** Awaited for every frame in order, before the next result: a slow consumer (an encoder) slows the pipeline. */
  onFrame?: (output: PipelineFrameOutput) => void | Promise<void>;
  /** Called by `stop()`, to end the frame iterator (stop the frame source). */
  onStop?: () => void | Promise<void>;
}

export interface PipelineStats {
  framesIn: number;
  framesDetected: number;
  framesSkippedByGate: number;
  /** Frames the detector pool dropped because this camera's queue was full (live sources only). */
  framesDroppedByDetector: number;
  events: number;
  startedAt: number;
  /** Mean wall-clock ms from a frame entering the pipeline to its result being emitted. */
  meanLatencyMs: number;
}

export interface PipelineFrameOutput {
  result: FrameResult;
  events: SightlineEvent[];
  /** The frame as it came from the source (source resolution when `detectorInput` is set). */
  frame: Frame;
  detected: boolean;
}

interface InFlight {
  frame: Frame;
  enteredAt: number;
  detections: Promise<Detection[] | null>;
}

/**
 * One camera's analysis loop: frames → (gate) → detector → tracker → analytics → events. Detection is
 * pipelined (several frames in flight) while tracking and analytics run strictly in frame order.
 */
export class CameraPipeline extends EventEmitter<{ frame: [PipelineFrameOutput]; events: [SightlineEvent[]]; error: [Error] }> {
  readonly stats: PipelineStats = { framesIn: 0, framesDetected: 0, framesSkippedByGate: 0, framesDroppedByDetector: 0, events: 0, startedAt: 0, meanLatencyMs: 0 };
  private latencySum = 0;
  private completed = 0;
  private lastPts = 0;
  private stopped = false;

  constructor(private readonly options: CameraPipelineOptions) {
    super();
  }

  /** Runs until the source ends or `stop()` is called; resolves after the final exits are flushed. */
  async run(): Promise<PipelineStats> {
    const { frames, detector, gate, detectorInput, cameraId } = this.options;
    // Never more in flight than the detector queues per camera, so a file source never loses a frame there.
    const maxInFlight = Math.max(1, Math.min(this.options.maxInFlight ?? 3, detector.maxQueuePerCamera ?? Infinity));
    const inFlight: InFlight[] = [];
    this.stats.startedAt = Date.now();
    try {
      for await (const frame of frames) {
        if (this.stopped) break;
        this.stats.framesIn++;
        const detFrame = detectorInput ? resizeFrame(frame, detectorInput) : frame;
        const run = gate ? gate.shouldDetect(detFrame) : true;
        let detections: Promise<Detection[] | null>;
        if (run) {
          detections = detector.detect(detFrame, cameraId).catch((err: unknown) => {
            // A live camera that outruns the pool loses that frame's detections, not the camera.
            if (err instanceof DetectorError && err.code === 'frame-dropped') {
              this.stats.framesDroppedByDetector++;
              return null;
            }
            throw err;
          });
        } else {
          this.stats.framesSkippedByGate++;
          detections = Promise.resolve(null);
        }
        // An unobserved rejection would crash the process before its turn comes; it is re-raised in order.
        detections.catch(() => undefined);
        inFlight.push({ frame, enteredAt: performance.now(), detections });
        while (inFlight.length >= maxInFlight) await this.complete(inFlight.shift()!);
      }
      while (inFlight.length > 0) await this.complete(inFlight.shift()!);
    } finally {
      const exits = this.options.analytics.flush(this.lastPts, Date.now());
      if (exits.length > 0) {
        this.stats.events += exits.length;
        this.emit('events', exits);
      }
    }
    return this.stats;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.options.onStop?.();
  }

  analyticsState(): AnalyticsState {
    return this.options.analytics.state();
  }

  private async complete(item: InFlight): Promise<void> {
    const { tracker, analytics, cameraId } = this.options;
    const detections = await item.detections;
    const { frame } = item;
    const tracks = detections ? tracker.update(detections, frame.index) : tracker.keepAlive(frame.index);
    if (detections) this.stats.framesDetected++;
    this.lastPts = frame.pts;
    const events = analytics.update({
      tracks,
      frameIndex: frame.index,
      pts: frame.pts,
      width: frame.sourceWidth,
      height: frame.sourceHeight,
      wallTime: Date.now(),
    });
    const latency = performance.now() - item.enteredAt;
    this.latencySum += latency;
    this.completed++;
    this.stats.meanLatencyMs = this.latencySum / this.completed;
    const result: FrameResult = {
      cameraId,
      frameIndex: frame.index,
      pts: frame.pts,
      width: frame.sourceWidth,
      height: frame.sourceHeight,
      detections: detections ?? [],
      tracks,
    };
    const output: PipelineFrameOutput = { result, events, frame, detected: detections !== null };
    this.emit('frame', output);
    await this.options.onFrame?.(output);
    if (events.length > 0) {
      this.stats.events += events.length;
      this.emit('events', events);
    }
  }
}
