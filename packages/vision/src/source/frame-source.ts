import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import type { Frame } from '../frame.js';
import { backoffDelayMs } from './backoff.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { ffmpegCapabilities, resolveFfmpegPath } from './ffmpeg-binary.js';
import type { FfmpegLogLine } from './ffmpeg-log.js';
import { hlsPlaylistHasEnded } from './hls-playlist.js';
import { FfmpegSession, type RawFrame, type SessionEnd } from './ffmpeg-session.js';
import { FrameQueue } from './frame-queue.js';
import {
  resolveFrameSourceOptions,
  type FrameSourceOptions,
  type ResolvedFrameSourceOptions,
} from './frame-source-options.js';
import { PtsTimeline } from './pts-timeline.js';
import { RateMeter } from './rate-meter.js';
import { scaledFrameGeometry } from './scaled-geometry.js';
import { resolveSourceInput, tapSourceInput, type SourceInput } from './source-input.js';
import { isPermanentSourceError, SourceError, type SourceErrorCode } from './source-error.js';

export type SourceState = 'idle' | 'connecting' | 'running' | 'reconnecting' | 'ended' | 'error';

export interface FrameSourceStats {
  state: SourceState;
  live: boolean;
  /** Frames handed to the consumer. */
  framesDelivered: number;
  /** Frames ffmpeg produced (delivered, dropped or still queued). */
  framesReceived: number;
  /** Frames thrown away because the consumer was slower than the source ('drop-oldest'). */
  dropped: number;
  /** Reconnection attempts made. */
  reconnects: number;
  /** Measured rate at which ffmpeg produces frames (after the analysis fps filter). */
  inputFps: number;
  /** Size of the latest source picture, once known. */
  sourceWidth: number | null;
  sourceHeight: number | null;
  lastError: string | null;
  lastErrorCode: SourceErrorCode | null;
}

export interface ReconnectInfo {
  /** 1 for the first retry after a failure, growing while failures continue. */
  attempt: number;
  delayMs: number;
  error: SourceError;
}

export interface FrameSourceEvents {
  state: [state: SourceState, previous: SourceState];
  reconnecting: [info: ReconnectInfo];
  /** ffmpeg warnings and errors, credentials redacted. */
  log: [line: FfmpegLogLine];
}

/** A run that delivered frames for this long resets the backoff: the source was healthy. */
const STABLE_RUN_MS = 10_000;

type PendingFrame = Omit<Frame, 'index'>;

/**
 * Decoded frames from a file, camera or stream, scaled by ffmpeg to the size a detector wants.
 * Pull frames with `for await (const frame of source)` or `await source.next()`; breaking out of the
 * loop or calling `stop()` kills ffmpeg. Live sources reconnect with backoff until stopped (or until
 * `reconnect.maxAttempts`); files end at EOF, and so do HLS playlists that end (`#EXT-X-ENDLIST`: VOD, or
 * a finished live event). Failures surface as SourceError from the iterator.
 */
export class FrameSource extends EventEmitter<FrameSourceEvents> implements AsyncIterable<Frame> {
  /** The source as it may be shown (credentials redacted). */
  readonly source: string;
  readonly live: boolean;
  readonly options: Readonly<ResolvedFrameSourceOptions>;
  private readonly input: SourceInput;
  private readonly frameBytes: number;
  private readonly queue: FrameQueue<PendingFrame>;
  private readonly timeline: PtsTimeline;
  private readonly inputRate = new RateMeter();
  private currentState: SourceState = 'idle';
  private session: FfmpegSession | null = null;
  private running: Promise<void> | null = null;
  private stopRequested = false;
  private wakeFromBackoff: (() => void) | null = null;
  private readonly counters = {
    framesDelivered: 0,
    framesReceived: 0,
    dropped: 0,
    reconnects: 0,
    sourceWidth: null as number | null,
    sourceHeight: null as number | null,
    lastError: null as SourceError | null,
  };

  /** Throws SourceError 'invalid-options' at once when options are wrong; starts nothing. */
  constructor(source: string, options: FrameSourceOptions) {
    super();
    if (typeof source !== 'string' || source.trim() === '') {
      throw new SourceError('invalid-options', 'a frame source needs a non-empty source string', String(source));
    }
    this.input = options.input ? tapSourceInput(source) : resolveSourceInput(source, options);
    this.source = this.input.display;
    this.live = this.input.live;
    this.options = resolveFrameSourceOptions(options, this.live, this.source);
    this.frameBytes = this.options.width * this.options.height * 3;
    this.queue = new FrameQueue(this.options.queueSize, this.options.overflow, () => this.session?.resume());
    this.timeline = new PtsTimeline(this.live, this.options.keepSourceTimestamps);
  }

  get state(): SourceState {
    return this.currentState;
  }

  get stats(): FrameSourceStats {
    const { lastError, ...counts } = this.counters;
    return {
      ...counts,
      state: this.currentState,
      live: this.live,
      inputFps: this.inputRate.rate(Date.now()),
      lastError: lastError?.message ?? null,
      lastErrorCode: lastError?.code ?? null,
    };
  }

  /** Start decoding (iteration starts it too). Idempotent. */
  start(): void {
    if (this.running !== null || this.stopRequested) return;
    this.running = this.run();
  }

  /** The next frame, or null once the source has ended or was stopped. Rejects with SourceError on failure. */
  async next(): Promise<Frame | null> {
    this.start();
    const pending = await this.queue.take();
    if (pending === null) return null;
    return { index: this.counters.framesDelivered++, ...pending };
  }

  /** Stop decoding and kill ffmpeg; resolves once the child has exited. Safe to call at any time, repeatedly. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.queue.clear();
    this.wakeFromBackoff?.();
    await this.session?.stop();
    await this.running;
    if (this.currentState !== 'error') this.setState('ended');
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return {
      next: async () => {
        const frame = await this.next();
        return frame === null ? { done: true, value: undefined } : { done: false, value: frame };
      },
      return: async () => {
        await this.stop();
        return { done: true, value: undefined };
      },
    };
  }

  private setState(state: SourceState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.emit('state', state, previous);
  }

  private async run(): Promise<void> {
    try {
      const ffmpegPath = resolveFfmpegPath(this.options.ffmpegPath);
      this.setState('connecting');
      const capabilities = await ffmpegCapabilities(ffmpegPath, this.source);
      if (this.input.kind === 'file') await this.assertFileExists();
      const args = buildFfmpegArgs(this.input, this.options, capabilities);
      let failures = 0;
      while (!this.stopRequested) {
        this.setState('connecting');
        const end = await this.runSession(ffmpegPath, args);
        if (this.stopRequested || end.outcome.kind === 'stopped') break;
        if (end.outcome.kind === 'eof' && (!this.live || (await this.playlistHasEnded()))) {
          this.setState('ended');
          this.queue.close();
          return;
        }
        const error = end.outcome.kind === 'failed' ? end.outcome.error : this.endedUnexpectedly();
        this.counters.lastError = error;
        if (!this.live || isPermanentSourceError(error.code)) return this.fail(error);
        if (end.stable) failures = 0;
        if (failures >= this.options.reconnect.maxAttempts) return this.fail(error);
        const delayMs = backoffDelayMs(failures, this.options.reconnect);
        failures++;
        this.counters.reconnects++;
        this.setState('reconnecting');
        this.emit('reconnecting', { attempt: failures, delayMs, error });
        await this.backoff(delayMs);
      }
    } catch (error) {
      if (!this.stopRequested) return this.fail(this.asSourceError(error));
    }
  }

  private async runSession(ffmpegPath: string, args: string[]): Promise<{ outcome: SessionEnd; stable: boolean }> {
    let firstFrameMs: number | null = null;
    this.timeline.startRun();
    this.inputRate.reset();
    const session = new FfmpegSession({
      ffmpegPath,
      args,
      frameBytes: this.frameBytes,
      display: this.source,
      startupTimeoutMs: this.options.startupTimeoutMs,
      stallTimeoutMs: this.live ? this.effectiveStallTimeoutMs() : null,
      stdin: this.options.input,
      onFrame: (raw) => {
        firstFrameMs ??= Date.now();
        this.onFrame(raw);
      },
      onLog: (line) => this.emit('log', line),
    });
    this.session = session;
    session.start();
    const outcome = await session.ended;
    this.session = null;
    const stable = firstFrameMs !== null && Date.now() - firstFrameMs >= STABLE_RUN_MS;
    return { outcome, stable };
  }

  private onFrame(raw: RawFrame): void {
    const now = Date.now();
    this.inputRate.record(now);
    this.counters.framesReceived++;
    this.counters.sourceWidth = raw.sourceWidth;
    this.counters.sourceHeight = raw.sourceHeight;
    if (this.currentState !== 'running') this.setState('running');
    const { width, height, resize, letterboxAlign, pixelFormat } = this.options;
    this.counters.dropped += this.queue.push({
      pts: this.timeline.map(raw.pts, now),
      data: raw.data,
      pixelFormat,
      width,
      height,
      sourceWidth: raw.sourceWidth,
      sourceHeight: raw.sourceHeight,
      geometry: scaledFrameGeometry(raw.sourceWidth, raw.sourceHeight, width, height, resize, letterboxAlign),
    });
    if (this.options.overflow === 'pause' && this.queue.isFull) this.session?.pause();
  }

  /** At a low analysis rate, frames are legitimately seconds apart: allow three intervals at least. */
  private effectiveStallTimeoutMs(): number {
    const fps = this.options.fps;
    return fps === undefined ? this.options.stallTimeoutMs : Math.max(this.options.stallTimeoutMs, 3000 / fps);
  }

  private backoff(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeFromBackoff = null;
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      this.wakeFromBackoff = wake;
    });
  }

  private fail(error: SourceError): void {
    this.counters.lastError = error;
    this.setState('error');
    this.queue.fail(error);
  }

  /**
   * An HLS source is live by default, yet its playlist may be VOD or a live event that has ended; replaying
   * it from the start on every "reconnect" would deliver the same video forever. Asked only after a clean
   * ffmpeg exit, so the extra request costs nothing while the stream plays.
   */
  private async playlistHasEnded(): Promise<boolean> {
    return this.input.kind === 'hls' && (await hlsPlaylistHasEnded(this.input.target));
  }

  private endedUnexpectedly(): SourceError {
    return new SourceError('ended-unexpectedly', `live source ${this.source} ended`, this.source);
  }

  private async assertFileExists(): Promise<void> {
    try {
      const info = await stat(this.input.target);
      if (!info.isFile() && !info.isCharacterDevice() && !info.isFIFO()) {
        throw new SourceError('not-found', `source is not a file: ${this.source}`, this.source);
      }
    } catch (error) {
      if (error instanceof SourceError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new SourceError('not-found', `source not found: ${this.source} (${code ?? String(error)})`, this.source);
    }
  }

  private asSourceError(error: unknown): SourceError {
    if (error instanceof SourceError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new SourceError('ffmpeg-failed', `frame source ${this.source} failed: ${message}`, this.source);
  }
}
