import { EventEmitter } from 'node:events';
import type { AccessUnit, DemuxedPicture, KeyframeDecision, PictureSource, PublishLog } from '@sightline/media';
import type { VirtualDisplay } from '../display/virtual-display.js';
import { CaptureEncoder } from './capture-encoder.js';
import { CaptureTimeline, grabTimeTicks, ticksToMs } from './capture-timeline.js';
import { startsRefresh } from './recovery-point.js';
import { RefreshHistory } from './refresh-history.js';

export type ScreenCaptureState = 'idle' | 'starting' | 'running' | 'failed' | 'stopped';

export interface ScreenCaptureOptions {
  display: Pick<VirtualDisplay, 'name' | 'width' | 'height' | 'clientEnv'>;
  fps: number;
  bitrateKbps: number;
  /**
   * Length of one intra-refresh sweep. A decoder that joins just after a sweep began must wait for the next whole
   * sweep, so the worst case to a clean picture is about two sweeps: the default 0.25 s keeps it within 0.5 s.
   */
  refreshSeconds?: number;
  /** Draw the X pointer into the picture (absolute-mouse apps); off for pointer-lock games. Default true. */
  drawCursor?: boolean;
  /** IDRs on request (restarting the encoder) at most this often. Default 1000. */
  minKeyframeIntervalMs?: number;
  /** No picture for this long counts as a failure. Default 5000 (10000 for the first). */
  stallTimeoutMs?: number;
  ffmpegPath?: string;
  log?: PublishLog;
}

export interface ScreenCaptureStats {
  state: ScreenCaptureState;
  pictures: number;
  bytes: number;
  idrs: number;
  refreshStarts: number;
  /** Encoders started to make an IDR on request, or to recover from a crash. */
  restarts: number;
  /** From the grab (x11grab's wall-clock stamp) to the picture leaving the demuxer, ms. */
  captureLatencyMs: { last: number; mean: number; max: number } | undefined;
  /** Pictures per second over the last second or so. */
  fps: number;
}

interface ScreenCaptureEvents {
  state: [state: ScreenCaptureState];
  picture: [unit: AccessUnit];
}

type PictureListener = (unit: AccessUnit) => void;

const DEFAULT_RESTART_MS = 200;
const MAX_CRASH_RESTARTS = 3;

/**
 * A session's screen as H.264 pictures on one timeline: a PictureSource, so @sightline/media's FeedRtpSource and
 * WhipClient publish it exactly as they publish a camera feed. x264 uses periodic intra refresh (no keyframe after
 * the first; a decoder that joins mid-stream is clean within two sweeps, 0.5 s) and pts are the wall-clock time of
 * each grab. Browsers, though, will not start decoding without an IDR, so requestKeyframe() and new subscribers
 * asking for replay get one: a second encoder is started beside the running one (its first picture is an IDR by
 * nature) and takes over at its first picture.
 */
export class ScreenCapture extends EventEmitter<ScreenCaptureEvents> implements PictureSource {
  readonly #options: ScreenCaptureOptions;
  readonly #timeline: CaptureTimeline;
  readonly #history = new RefreshHistory();
  readonly #listeners = new Set<PictureListener>();
  #state: ScreenCaptureState = 'idle';
  #lastError: string | undefined;
  #current: CaptureEncoder | undefined;
  #replacement: CaptureEncoder | undefined;
  #lastKeyframeRequestAt = -Infinity;
  #restartMs = DEFAULT_RESTART_MS;
  #crashRestarts = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #lastPictureAt = 0;
  #recent: number[] = [];
  #latency = { last: 0, sum: 0, max: 0, count: 0 };
  #counters = { pictures: 0, bytes: 0, idrs: 0, refreshStarts: 0, restarts: 0 };

  constructor(options: ScreenCaptureOptions) {
    super();
    if (!Number.isInteger(options.fps) || options.fps < 1 || options.fps > 240) throw new Error(`invalid fps ${options.fps}`);
    if (!(options.bitrateKbps >= 50 && options.bitrateKbps <= 200_000)) throw new Error(`invalid bitrate ${options.bitrateKbps}`);
    this.#options = options;
    this.#timeline = new CaptureTimeline(Math.round(90_000 / options.fps));
  }

  get state(): ScreenCaptureState {
    return this.#state;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  get pids(): number[] {
    return [this.#current?.pid, this.#replacement?.pid].filter((pid): pid is number => pid !== undefined);
  }

  get stats(): ScreenCaptureStats {
    const { last, sum, max, count } = this.#latency;
    const now = performance.now();
    const recent = this.#recent.filter((at) => now - at <= 1000);
    return {
      state: this.#state,
      ...this.#counters,
      captureLatencyMs: count ? { last, mean: sum / count, max } : undefined,
      fps: recent.length,
    };
  }

  /** Start grabbing; resolves at the first picture, rejects if none comes. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`capture already ${this.#state}`);
    this.#setState('starting');
    this.#current = this.#launch();
    this.#watchdog = setInterval(() => this.#checkProgress(), 250);
    await new Promise<void>((resolve, reject) => {
      const onState = (state: ScreenCaptureState) => {
        if (state === 'running') resolve();
        else if (state === 'failed' || state === 'stopped') reject(new Error(this.#lastError ?? `capture ${state}`));
        else return;
        this.off('state', onState);
      };
      this.on('state', onState);
    });
  }

  subscribe(listener: PictureListener, options: { replay?: boolean } = {}): () => void {
    if (options.replay) {
      const history = this.#history.snapshot();
      for (const unit of history) listener(unit);
      // A browser cannot start on an intra-refresh sweep: give it an IDR soon.
      if (!history[0]?.keyframe) this.requestKeyframe();
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  wallClockOf(pts: number): number {
    return this.#timeline.wallClockOf(pts);
  }

  requestKeyframe(): KeyframeDecision {
    if (this.#state !== 'running') return { action: 'wait', reason: 'not-running', expectedWithinMs: Number.POSITIVE_INFINITY };
    if (this.#replacement) return { action: 'wait', reason: 'restart-in-progress', expectedWithinMs: this.#restartMs };
    const now = performance.now();
    const sinceLast = now - this.#lastKeyframeRequestAt;
    const minInterval = this.#options.minKeyframeIntervalMs ?? 1000;
    if (sinceLast < minInterval) {
      // The sweep under way repairs the picture for decoders that accept it; an IDR follows the quiet period.
      return { action: 'wait', reason: 'rate-limited', expectedWithinMs: Math.round(minInterval - sinceLast + this.#restartMs) };
    }
    this.#lastKeyframeRequestAt = now;
    this.#counters.restarts++;
    this.#replacement = this.#launch();
    return { action: 'restart', reason: 'restarting', expectedWithinMs: Math.round(this.#restartMs) };
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('stopped');
    clearInterval(this.#watchdog);
    this.#listeners.clear();
    await Promise.all([this.#current?.stop(), this.#replacement?.stop()]);
  }

  #launch(): CaptureEncoder {
    const { display, fps } = this.#options;
    const encoder = new CaptureEncoder(
      {
        display: display.name,
        width: display.width,
        height: display.height,
        fps,
        bitrateKbps: this.#options.bitrateKbps,
        refreshFrames: Math.max(2, Math.floor(fps * (this.#options.refreshSeconds ?? 0.25))),
        drawCursor: this.#options.drawCursor ?? true,
      },
      display.clientEnv(),
      this.#options.ffmpegPath,
    );
    encoder.on('picture', (picture) => this.#onPicture(encoder, picture));
    encoder.once('exit', (reason) => this.#onExit(encoder, reason));
    return encoder;
  }

  #onPicture(encoder: CaptureEncoder, picture: DemuxedPicture): void {
    if (this.#state === 'stopped') return;
    const now = Date.now();
    const grabbed = grabTimeTicks(picture.pts, now);
    if (encoder === this.#replacement) {
      // Its first picture is an IDR: switch over at this picture boundary, and let the old encoder go.
      this.#restartMs = 0.5 * this.#restartMs + 0.5 * (performance.now() - encoder.startedAt);
      const old = this.#current;
      this.#timeline.switchEncoder(grabbed);
      this.#current = encoder;
      this.#replacement = undefined;
      void old?.stop();
    } else if (encoder !== this.#current) {
      return;
    }
    const pts = this.#timeline.place(grabbed);
    const unit: AccessUnit = { pts, dts: pts, keyframe: picture.keyframe, data: picture.data, receivedAt: now };
    const refresh = !picture.keyframe && startsRefresh(picture.data);
    this.#count(unit, refresh, now - ticksToMs(grabbed));
    this.#history.push(unit, refresh);
    if (this.#state !== 'running') this.#setState('running');
    this.emit('picture', unit);
    for (const listener of this.#listeners) {
      try {
        listener(unit);
      } catch (error) {
        this.#options.log?.warn({ err: (error as Error).message }, 'capture: a subscriber failed');
      }
    }
  }

  #count(unit: AccessUnit, refresh: boolean, latency: number): void {
    this.#counters.pictures++;
    this.#counters.bytes += unit.data.length;
    if (unit.keyframe) this.#counters.idrs++;
    if (refresh) this.#counters.refreshStarts++;
    this.#latency.last = latency;
    this.#latency.sum += latency;
    this.#latency.count++;
    this.#latency.max = Math.max(this.#latency.max, latency);
    this.#lastPictureAt = performance.now();
    this.#recent.push(this.#lastPictureAt);
    if (this.#recent.length > 2 * this.#options.fps) this.#recent.splice(0, this.#recent.length - this.#options.fps);
    if (this.#crashRestarts > 0 && this.#counters.pictures % (10 * this.#options.fps) === 0) this.#crashRestarts = 0;
  }

  #onExit(encoder: CaptureEncoder, reason: string): void {
    if (this.#state === 'stopped' || encoder.stopping) return;
    if (encoder === this.#replacement) {
      this.#replacement = undefined;
      this.#options.log?.warn({ err: reason }, 'capture: the replacement encoder failed');
      return;
    }
    if (encoder !== this.#current) return;
    this.#lastError = reason;
    if (this.#state === 'starting' || this.#crashRestarts >= MAX_CRASH_RESTARTS) {
      this.#fail(reason);
      return;
    }
    this.#crashRestarts++;
    this.#counters.restarts++;
    this.#options.log?.warn({ err: reason }, 'capture: encoder died, starting another');
    this.#current = this.#replacement ?? this.#launch();
    this.#replacement = undefined;
  }

  #checkProgress(): void {
    if (this.#state !== 'starting' && this.#state !== 'running') return;
    const first = this.#lastPictureAt === 0;
    const limit = first ? 2 * (this.#options.stallTimeoutMs ?? 5000) : (this.#options.stallTimeoutMs ?? 5000);
    const since = performance.now() - (first ? (this.#current?.startedAt ?? performance.now()) : this.#lastPictureAt);
    if (since > limit) this.#fail(first ? `no picture from ${this.#options.display.name} within ${limit} ms` : 'pictures stopped');
  }

  #fail(reason: string): void {
    this.#lastError = reason;
    this.#options.log?.warn({ err: reason }, 'capture: failed');
    clearInterval(this.#watchdog);
    void this.#current?.stop();
    void this.#replacement?.stop();
    this.#setState('failed');
  }

  #setState(state: ScreenCaptureState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
