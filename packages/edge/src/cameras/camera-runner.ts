import type { Logger } from 'pino';
import type { CameraConfig, CameraHealth, CameraRunState, SightlineEvent, Snapshot } from '@sightline/protocol';
import { createSourcePipeline, type PipelineFrameOutput, type SourcePipeline, type SourceState, type FrameSourceOptions } from '@sightline/vision';
import type { CameraFeeds } from './camera-feeds.js';
import type { DetectorCache } from './detector-cache.js';
import type { SnapshotMaker } from './snapshot-maker.js';

export type EventSink = (events: SightlineEvent[], snapshots: Snapshot[]) => void;

export interface CameraRunnerDeps {
  detectors: DetectorCache;
  snapshots: SnapshotMaker;
  sink: EventSink;
  log: Logger;
  feeds: CameraFeeds;
  /** Every analysed frame, for live overlays and detection-driven privacy. */
  onAnalysed?: (camera: CameraConfig, output: PipelineFrameOutput) => void;
  /** Test hook: options passed to every frame source (e.g. a faster reconnect). */
  frameSource?: Partial<FrameSourceOptions>;
}

const STATE_OF_SOURCE: Record<SourceState, CameraRunState> = {
  idle: 'connecting',
  connecting: 'connecting',
  running: 'running',
  reconnecting: 'reconnecting',
  ended: 'stopped',
  error: 'error',
};

/** One camera's pipeline on the edge: source → detector → tracker → analytics → outbox, with its health. */
export class CameraRunner {
  private state: CameraRunState = 'connecting';
  private message: string | undefined;
  private running?: SourcePipeline;
  private done?: Promise<void>;
  private stopped = false;
  private lastFrames = 0;
  private lastSampleAt = Date.now();
  private readonly appendedInFrame = new Set<string>();

  constructor(
    readonly config: CameraConfig,
    private readonly deps: CameraRunnerDeps,
  ) {}

  start(): void {
    this.done = this.run().catch((err: unknown) => {
      this.state = 'error';
      this.message = (err as Error).message;
      this.deps.log.warn({ cameraId: this.config.id, err: this.message }, 'camera failed');
    });
  }

  private async run(): Promise<void> {
    const { config, deps } = this;
    const detector = await deps.detectors.acquire(config.model);
    try {
      if (this.stopped) return;
      const tap = deps.feeds.acquire(config).tap();
      const sp = await createSourcePipeline({
        cameraId: config.id,
        source: config.source,
        live: true,
        detector,
        analytics: config.analytics,
        fps: config.fps,
        motion: config.motion,
        // Analysis reads the camera's shared feed rather than opening the camera itself.
        // Analysis may lag the camera for a while on a busy machine (the frame source drops decoded frames it has no
        // time for); only a decoder 10 s behind skips to a later keyframe.
        frameSource: { ...deps.frameSource, input: () => tap.open({ maxLagMs: 10_000 }) },
        onFrame: (output) => {
          deps.onAnalysed?.(config, output);
          if (output.events.length === 0) return;
          const snapshots = deps.snapshots.forEvents(output.frame, output.events);
          for (const e of output.events) this.appendedInFrame.add(e.id);
          deps.sink(output.events, snapshots);
        },
      });
      this.running = sp;
      sp.source.on('state', (s) => {
        this.state = STATE_OF_SOURCE[s];
        if (s === 'running') this.message = undefined;
      });
      sp.source.on('reconnecting', (info) => {
        this.message = info.error.message;
      });
      // Events emitted outside a frame (exits flushed when the source ends) have no picture to attach.
      sp.pipeline.on('events', (events) => {
        const fresh = events.filter((e) => !this.appendedInFrame.delete(e.id));
        if (fresh.length > 0) deps.sink(fresh, []);
      });
      if (this.stopped) {
        await sp.pipeline.stop();
        return;
      }
      await sp.pipeline.run();
      const stats = sp.source.stats;
      if (!this.stopped && stats.state === 'error') {
        this.state = 'error';
        this.message = stats.lastError ?? 'source failed';
      } else {
        this.state = 'stopped';
      }
    } finally {
      await deps.detectors.release(config.model);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.pipeline.stop();
    await this.done;
    this.state = 'stopped';
  }

  async health(): Promise<CameraHealth> {
    const now = Date.now();
    const source = this.running?.source.stats;
    const pipeline = this.running?.pipeline.stats;
    const frames = pipeline?.framesIn ?? 0;
    const fps = now > this.lastSampleAt ? ((frames - this.lastFrames) * 1000) / (now - this.lastSampleAt) : 0;
    this.lastFrames = frames;
    this.lastSampleAt = now;
    let state = this.state === 'connecting' && source?.state === 'running' ? 'running' : this.state;
    let message = this.message;
    // The camera connection is the feed's: when it is down, its reason is the one worth showing.
    const feed = this.deps.feeds.get(this.config.id);
    if (feed && feed.state !== 'running' && state !== 'error') {
      state = feed.state === 'failed' ? 'error' : feed.state === 'ended' ? 'stopped' : feed.state === 'connecting' ? 'connecting' : 'reconnecting';
      message = feed.lastError ?? message;
    }
    return {
      cameraId: this.config.id,
      state,
      ...(message ? { message: message.slice(0, 2000) } : {}),
      fps: Math.round(fps * 10) / 10,
      droppedFrames: (source?.dropped ?? 0) + (pipeline?.framesDroppedByDetector ?? 0),
      inferenceMs: Math.round((await this.deps.detectors.inferenceMs(this.config.model)) * 10) / 10,
    };
  }
}
