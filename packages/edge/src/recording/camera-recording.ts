import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newId, type RecordingConfig } from '@sightline/protocol';
import type { RecordingUploader } from './recording-uploader.js';
import type { LocalSegment } from './segment-index.js';
import { EventWindows } from './event-windows.js';
import { SegmentRecorder, type FinishedSegment, type RecordingLog, type SegmentRecorderStats } from './segment-recorder.js';
import type { TsTap } from './ts-tap.js';

export interface CameraRecordingOptions {
  cameraId: string;
  config: RecordingConfig;
  tap: TsTap;
  /** This camera's own directory for segment files. */
  dir: string;
  uploader: RecordingUploader;
  log: RecordingLog;
  segmentSeconds?: number;
  ffmpegPath?: string;
  /**
   * How long after an event the agent may still mark it (analysis runs behind the live picture): buffered segments are
   * kept this much longer than the pre-roll. Default 10 s.
   */
  eventLatencyMs?: number;
  /** Wall clock (tests). */
  now?: () => number;
}

export interface CameraRecordingStats {
  mode: RecordingConfig['mode'];
  /** Segments recorded since this object was made. */
  segments: number;
  /** Of those, queued for upload (all of them in continuous mode; those in event windows otherwise). */
  queued: number;
  /** Buffered segments deleted because no event wanted them. */
  discarded: number;
  recorder: SegmentRecorderStats | undefined;
  /** Event windows still waiting for segments. */
  windows: number;
}

/** Event windows that ended this long ago can no longer meet a segment still to come. */
const WINDOW_MEMORY_MS = 120_000;

/**
 * Recording of one camera as its config says. `continuous`: every segment is queued for upload. `events`: segments are
 * kept on disk for the pre-roll window; `markEvent(t)` uploads those overlapping [t − preRoll, t + postRoll) (later
 * segments as they are finished), and the rest are deleted once older than the pre-roll. `off`: nothing runs.
 */
export class CameraRecording {
  private config: RecordingConfig;
  private recorder: SegmentRecorder | undefined;
  private readonly windows = new EventWindows();
  private readonly now: () => number;
  private readonly counters = { segments: 0, queued: 0, discarded: 0 };

  constructor(private readonly options: CameraRecordingOptions) {
    this.config = options.config;
    this.now = options.now ?? Date.now;
  }

  get cameraId(): string {
    return this.options.cameraId;
  }

  get stats(): CameraRecordingStats {
    return { mode: this.config.mode, ...this.counters, recorder: this.recorder?.stats, windows: this.windows.size };
  }

  /** Starts recording unless the mode is off. Segment files a crash left unlisted are deleted first. */
  start(): void {
    mkdirSync(this.options.dir, { recursive: true });
    this.removeUnlisted();
    if (this.config.mode !== 'off') this.startRecorder();
  }

  /** Stops recording: the segment in progress is finished and handled; buffered segments are deleted. */
  async stop(): Promise<void> {
    const recorder = this.recorder;
    this.recorder = undefined;
    await recorder?.stop();
    this.discard(this.buffered());
  }

  /** An event at wall-clock `timeMs`: in events mode, its window of recording is uploaded. */
  markEvent(timeMs: number): void {
    if (this.config.mode !== 'events') return;
    const from = timeMs - this.config.preRollSeconds * 1000;
    const to = timeMs + this.config.postRollSeconds * 1000;
    this.windows.add(from, to);
    this.windows.forgetBefore(this.now() - WINDOW_MEMORY_MS);
    this.queue(this.buffered().filter((s) => s.startedAt < to && s.startedAt + s.durationMs > from));
  }

  /** Applies a changed config: the recorder starts or stops only when the mode turns on or off. */
  async update(config: RecordingConfig): Promise<void> {
    const before = this.config.mode;
    this.config = config;
    if (config.mode === 'off') return this.stop();
    if (before === 'off' || !this.recorder) {
      this.startRecorder();
      return;
    }
    // Switched to continuous: what is kept for a possible event goes too.
    if (config.mode === 'continuous') this.queue(this.buffered());
  }

  private startRecorder(): void {
    const recorder = new SegmentRecorder({
      tap: this.options.tap,
      dir: this.options.dir,
      log: this.options.log,
      segmentSeconds: this.options.segmentSeconds,
      ffmpegPath: this.options.ffmpegPath,
      now: this.now,
    });
    recorder.on('segment', (segment) => this.onSegment(segment));
    this.recorder = recorder;
    recorder.start();
  }

  private onSegment(finished: FinishedSegment): void {
    const segment = {
      id: newId(),
      cameraId: this.options.cameraId,
      path: finished.path,
      startedAt: finished.startedAt,
      durationMs: finished.durationMs,
      bytes: finished.bytes,
    };
    const wanted =
      this.config.mode === 'continuous' || this.windows.overlaps(segment.startedAt, segment.startedAt + segment.durationMs);
    this.counters.segments++;
    if (wanted) this.counters.queued++;
    this.options.uploader.add(segment, wanted ? 'pending' : 'buffered');
    this.dropExpired();
  }

  /** Buffered segments that ended before the pre-roll (plus the event latency) can no longer be wanted. */
  private dropExpired(): void {
    const cutoff = this.now() - this.config.preRollSeconds * 1000 - (this.options.eventLatencyMs ?? 10_000);
    this.discard(this.buffered().filter((s) => s.startedAt + s.durationMs < cutoff));
  }

  private queue(segments: readonly LocalSegment[]): void {
    this.counters.queued += segments.length;
    this.options.uploader.promote(segments.map((s) => s.id));
  }

  private discard(segments: readonly LocalSegment[]): void {
    this.counters.discarded += segments.length;
    this.options.uploader.discard(segments);
  }

  private buffered(): LocalSegment[] {
    return this.options.uploader.segmentsOf(this.options.cameraId).filter((s) => s.state === 'buffered');
  }

  /** Deletes files in this camera's directory that the index does not list (cut short by a crash). */
  private removeUnlisted(): void {
    const listed = new Set(this.options.uploader.segmentsOf(this.options.cameraId).map((s) => resolve(s.path)));
    for (const name of readdirSync(this.options.dir)) {
      const path = resolve(join(this.options.dir, name));
      if (name.endsWith('.mp4') && !listed.has(path)) rmSync(path, { force: true });
    }
  }
}
