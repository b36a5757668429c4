import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { Backoff } from '@sightline/media';
import { RecorderRun, type FinishedSegment } from './recorder-run.js';
import type { TsTap } from './ts-tap.js';

export type { FinishedSegment } from './recorder-run.js';

/** The little of a pino logger the recorder uses. */
export interface RecordingLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface SegmentRecorderOptions {
  tap: TsTap;
  /** Where segment files are written (one directory per camera). */
  dir: string;
  log: RecordingLog;
  /** ffmpeg cuts at the first keyframe after each multiple of this. Default 4. */
  segmentSeconds?: number;
  ffmpegPath?: string;
  restartBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Clock for wall-clock times (tests). */
  now?: () => number;
}

export interface SegmentRecorderStats {
  running: boolean;
  segments: number;
  /** ffmpeg runs that ended without being asked to. */
  restarts: number;
  lastError: string | undefined;
  pid: number | undefined;
}

/** A run that lasted this long resets the restart backoff. */
const HEALTHY_RUN_MS = 30_000;

/**
 * Records a camera's tap into self-contained fMP4 segments of about `segmentSeconds`, with one ffmpeg at a time that
 * copies the video (no decoding, no encoding). If ffmpeg dies or the tap ends, a new run starts after a backoff,
 * from a fresh tap stream. ffmpeg never outlives stop() or this process. Emits 'segment' for every closed segment.
 */
export class SegmentRecorder extends EventEmitter<{ segment: [FinishedSegment] }> {
  private run: RecorderRun | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopping = false;
  private started = false;
  private runs = 0;
  private readonly backoff: Backoff;
  private readonly counters = { segments: 0, restarts: 0 };
  private lastError: string | undefined;
  private readonly runPrefix = Date.now().toString(36);

  constructor(private readonly options: SegmentRecorderOptions) {
    super();
    this.backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 15_000, ...options.restartBackoff });
  }

  get stats(): SegmentRecorderStats {
    return { running: this.run !== undefined, ...this.counters, lastError: this.lastError, pid: this.run?.pid };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    mkdirSync(this.options.dir, { recursive: true });
    this.launch();
  }

  /** Stops recording: the segment in progress is closed and emitted (within `graceMs`, else ffmpeg is killed). */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retry);
    await this.run?.finishInput(graceMs);
  }

  private launch(): void {
    if (this.stopping) return;
    let run: RecorderRun;
    try {
      run = this.newRun();
    } catch (err) {
      // The tap could not be opened (or ffmpeg not spawned): the same as a run that ended at once.
      this.scheduleRestart((err as Error).message, Date.now());
      return;
    }
    this.run = run;
    void run.done.then(({ code, signal, stderr }) => {
      if (this.run === run) this.run = undefined;
      if (this.stopping) return;
      this.scheduleRestart(stderr || `ffmpeg ended (${signal ?? `exit ${code}`})`, run.startedAt);
    });
  }

  private scheduleRestart(reason: string, runStartedAt: number): void {
    if (this.stopping) return;
    this.counters.restarts++;
    this.lastError = reason;
    if ((this.options.now ?? Date.now)() - runStartedAt >= HEALTHY_RUN_MS) this.backoff.reset();
    const delay = this.backoff.next();
    this.options.log.warn({ error: reason.slice(-500), retryInMs: delay }, 'recorder ffmpeg ended; restarting');
    this.retry = setTimeout(() => this.launch(), delay);
  }

  private newRun(): RecorderRun {
    return new RecorderRun({
      tap: this.options.tap,
      dir: this.options.dir,
      runId: `${this.runPrefix}${(this.runs++).toString(36).padStart(3, '0')}`,
      segmentSeconds: this.options.segmentSeconds ?? 4,
      ffmpegPath: this.options.ffmpegPath ?? (process.env.SIGHTLINE_FFMPEG || 'ffmpeg'),
      now: this.options.now ?? Date.now,
      onSegment: (segment) => {
        this.counters.segments++;
        this.emit('segment', segment);
      },
      onError: (err) => this.options.log.warn({ error: err.message }, 'recording segment could not be handed over'),
    });
  }
}
