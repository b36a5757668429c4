import { EventEmitter } from 'node:events';
import type { AccessUnit, DemuxedPicture, KeyframeDecision, PictureSource, PublishLog } from '@sightline/media';
import type { VirtualDisplay } from '../display/virtual-display.js';
import { CaptureEncoder } from './capture-encoder.js';
import { CaptureTimeline, grabTimeTicks, ticksToMs } from './capture-timeline.js';
import { startsRefresh } from './recovery-point.js';
import { RefreshHistory } from './refresh-history.js';
import { captureEncoderOf, outputSize, type CaptureCodec, type CaptureEncoderName } from './x11grab-args.js';

export type ScreenCaptureState = 'idle' | 'starting' | 'running' | 'failed' | 'stopped';

/** What the encoder is asked to make; setTarget() changes it while running (network adaptation). */
export interface CaptureTarget {
  bitrateKbps: number;
  fps: number;
  /** Picture height after scaling down; the display's height means no scaling. The width follows (kept even). */
  height: number;
}

/** What setTarget() will do. */
export interface TargetDecision {
  /** `restart`: a new encoder with the new settings is starting; `scheduled`: it starts in `inMs`; `unchanged`. */
  action: 'restart' | 'scheduled' | 'unchanged';
  reason: 'restarting' | 'rate-limited' | 'restart-in-progress' | 'not-running' | 'same-settings';
  /** When the new settings should be in force (the restart time included), ms. */
  inMs: number;
  /** The settings asked for, after this call. */
  target: CaptureTarget;
}

export interface ScreenCaptureOptions {
  display: Pick<VirtualDisplay, 'name' | 'width' | 'height' | 'clientEnv'>;
  fps: number;
  bitrateKbps: number;
  /** Scale the picture down to this height before encoding (default: the display's size). See setTarget(). */
  height?: number;
  /** 'h264' (default; x264 with intra refresh, or NVENC) or 'vp8' (libvpx realtime, IVF). */
  codec?: CaptureCodec;
  /**
   * Which ffmpeg encoder makes the codec: 'libx264' (default for H.264), 'h264_nvenc' (an NVIDIA GPU: see
   * detectEncoders(); never run on a test machine here), 'libvpx' (VP8, the only one).
   */
  encoder?: CaptureEncoderName;
  /** VP8: the longest time without a key frame, s (key frames otherwise come only on request). Default 60. */
  keyframeIntervalSeconds?: number;
  /** setTarget() restarts the encoder at most this often. Default 1000. */
  minTargetIntervalMs?: number;
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
  codec: CaptureCodec;
  encoder: CaptureEncoderName;
  /** The settings of the encoder whose pictures go out now. */
  target: CaptureTarget;
  /** Settings asked for with setTarget() and not yet in force. */
  pendingTarget: CaptureTarget | undefined;
  pictures: number;
  bytes: number;
  /** IDRs (H.264) or key frames (VP8). */
  idrs: number;
  refreshStarts: number;
  /** Encoders started to make an IDR on request, to change settings, or to recover from a crash. */
  restarts: number;
  /** Encoders started for setTarget(). */
  targetChanges: number;
  /**
   * The last switch to a new encoder: its start to its first picture, and how far the picture went back in time
   * (the new encoder's first grab is older than the old one's last picture, which was sent meanwhile; pts still grow).
   */
  lastSwitch: { restartMs: number; rewindMs: number } | undefined;
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
/** VP8 has no sweeps: a joiner replays at most this much from the last key frame, or waits for a new one. */
const VP8_MAX_REPLAY_MS = 1000;

/**
 * A session's screen as H.264 (or VP8) pictures on one timeline: a PictureSource, so @sightline/media's FeedRtpSource
 * and WhipClient publish it exactly as they publish a camera feed. x264 uses periodic intra refresh (no keyframe after
 * the first; a decoder that joins mid-stream is clean within two sweeps, 0.5 s) and pts are the wall-clock time of
 * each grab. Browsers, though, will not start decoding without an IDR, so requestKeyframe() and new subscribers
 * asking for replay get one: a second encoder is started beside the running one (its first picture is an IDR by
 * nature) and takes over at its first picture. VP8 (libvpx) works the same way without the sweeps: a key frame at
 * the start, then only on request. setTarget() changes bitrate, frame rate or scale with the same switch.
 */
export class ScreenCapture extends EventEmitter<ScreenCaptureEvents> implements PictureSource {
  readonly codec: CaptureCodec;
  readonly #encoderName: CaptureEncoderName;
  readonly #options: ScreenCaptureOptions;
  readonly #timeline: CaptureTimeline;
  readonly #history: RefreshHistory;
  /** Each listener, and whether it waits for a key frame before it gets anything (a VP8 joiner with no history). */
  readonly #listeners = new Map<PictureListener, { awaitingKeyframe: boolean }>();
  #desired: CaptureTarget;
  #lastTargetChangeAt = -Infinity;
  #targetTimer: NodeJS.Timeout | undefined;
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
  #counters = { pictures: 0, bytes: 0, idrs: 0, refreshStarts: 0, restarts: 0, targetChanges: 0 };
  #lastGrab: number | undefined;
  #lastSwitch: { restartMs: number; rewindMs: number } | undefined;

  constructor(options: ScreenCaptureOptions) {
    super();
    this.codec = options.codec ?? 'h264';
    this.#encoderName = captureEncoderOf({ codec: this.codec, encoder: options.encoder });
    this.#options = options;
    this.#desired = this.#validTarget({ bitrateKbps: options.bitrateKbps, fps: options.fps, height: options.height ?? options.display.height });
    this.#timeline = new CaptureTimeline(Math.round(90_000 / options.fps));
    const maxSpanMs = this.codec === 'vp8' ? VP8_MAX_REPLAY_MS : 2000 * (options.refreshSeconds ?? 0.25) + 1000;
    this.#history = new RefreshHistory(16 * 1024 * 1024, maxSpanMs * 90);
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
    const target = this.#current ? targetOf(this.#current) : { ...this.#desired };
    return {
      state: this.#state,
      codec: this.codec,
      encoder: this.#encoderName,
      target,
      pendingTarget: sameTarget(target, this.#desired) ? undefined : { ...this.#desired },
      ...this.#counters,
      lastSwitch: this.#lastSwitch && { ...this.#lastSwitch },
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

  /**
   * Pictures from now on; with `replay`, first what a decoder needs to start: from the newest IDR or the last
   * completed sweep (H.264), from the last key frame if it is recent (VP8). When that does not start with a key frame
   * one is requested; a VP8 subscriber with nothing to replay gets nothing before it (VP8 has no recovery points).
   */
  subscribe(listener: PictureListener, options: { replay?: boolean } = {}): () => void {
    let awaitingKeyframe = false;
    if (options.replay) {
      const history = this.#history.snapshot();
      for (const unit of history) listener(unit);
      // A browser cannot start on an intra-refresh sweep: give it an IDR soon.
      if (!history[0]?.keyframe) {
        this.requestKeyframe();
        awaitingKeyframe = this.codec === 'vp8';
      }
    }
    this.#listeners.set(listener, { awaitingKeyframe });
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

  /**
   * Change bitrate, frame rate or scale while running (network adaptation): a new encoder with the new settings
   * starts beside the running one and takes over at its first picture (an IDR or key frame), exactly as for
   * requestKeyframe(): no gap, pts keep growing. At most one change per `minTargetIntervalMs` (1 s); a change asked
   * for meanwhile is kept and made when allowed, and a newer one replaces it. Before start() it only sets what
   * start() uses. Throws on values out of range (bitrate 50..200000 kbps, fps 1..240, height ≥ 16); a height above
   * the display's means no scaling.
   */
  setTarget(change: Partial<CaptureTarget>): TargetDecision {
    this.#desired = this.#validTarget({ ...this.#desired, ...change });
    return this.#applyTarget();
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('stopped');
    clearInterval(this.#watchdog);
    clearTimeout(this.#targetTimer);
    this.#listeners.clear();
    await Promise.all([this.#current?.stop(), this.#replacement?.stop()]);
  }

  #validTarget(target: CaptureTarget): CaptureTarget {
    const { bitrateKbps, fps, height } = target;
    if (!Number.isInteger(fps) || fps < 1 || fps > 240) throw new Error(`invalid fps ${fps}`);
    if (!(bitrateKbps >= 50 && bitrateKbps <= 200_000)) throw new Error(`invalid bitrate ${bitrateKbps}`);
    if (!Number.isInteger(height) || height < 16) throw new Error(`invalid height ${height}`);
    const { display } = this.#options;
    return { bitrateKbps, fps, height: outputSize({ width: display.width, height: display.height, outputHeight: height }).height };
  }

  #applyTarget(): TargetDecision {
    clearTimeout(this.#targetTimer);
    this.#targetTimer = undefined;
    const target = { ...this.#desired };
    const restartMs = Math.round(this.#restartMs);
    // Not running yet: start() uses these settings, or the first encoder is compared with them once pictures flow.
    if (this.#state !== 'running') return { action: 'scheduled', reason: 'not-running', inMs: Number.POSITIVE_INFINITY, target };
    const upcoming = this.#replacement ?? this.#current;
    if (upcoming && sameTarget(targetOf(upcoming), target)) return { action: 'unchanged', reason: 'same-settings', inMs: 0, target };
    if (this.#replacement) return { action: 'scheduled', reason: 'restart-in-progress', inMs: 2 * restartMs, target };
    const now = performance.now();
    const wait = this.#lastTargetChangeAt + (this.#options.minTargetIntervalMs ?? 1000) - now;
    if (wait > 0) {
      this.#targetTimer = setTimeout(() => this.#applyTarget(), wait);
      return { action: 'scheduled', reason: 'rate-limited', inMs: Math.round(wait) + restartMs, target };
    }
    this.#counters.restarts++;
    this.#replacement = this.#launch();
    return { action: 'restart', reason: 'restarting', inMs: restartMs, target };
  }

  /** A new encoder with the settings asked for now (a key frame, a target change, or a crashed one's successor). */
  #launch(): CaptureEncoder {
    const { display } = this.#options;
    const { fps, bitrateKbps, height } = this.#desired;
    const active = this.#current;
    if (active && !sameTarget(targetOf(active), this.#desired)) {
      this.#lastTargetChangeAt = performance.now();
      this.#counters.targetChanges++;
    }
    const encoder = new CaptureEncoder(
      {
        display: display.name,
        width: display.width,
        height: display.height,
        outputHeight: height,
        fps,
        bitrateKbps,
        codec: this.codec,
        encoder: this.#encoderName,
        refreshFrames: Math.max(2, Math.floor(fps * (this.#options.refreshSeconds ?? 0.25))),
        keyframeIntervalFrames: Math.max(1, Math.round(fps * (this.#options.keyframeIntervalSeconds ?? 60))),
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
    let switched = false;
    if (encoder === this.#replacement) {
      // Its first picture is an IDR: switch over at this picture boundary, and let the old encoder go.
      const restartMs = performance.now() - encoder.startedAt;
      this.#restartMs = 0.5 * this.#restartMs + 0.5 * restartMs;
      this.#lastSwitch = { restartMs: Math.round(restartMs), rewindMs: Math.max(0, Math.round(ticksToMs((this.#lastGrab ?? grabbed) - grabbed))) };
      const old = this.#current;
      this.#timeline.switchEncoder(grabbed, Math.round(90_000 / encoder.encoding.fps));
      this.#current = encoder;
      this.#replacement = undefined;
      switched = true;
      void old?.stop();
    } else if (encoder !== this.#current) {
      return;
    }
    const pts = this.#timeline.place(grabbed);
    this.#lastGrab = grabbed;
    const unit: AccessUnit = { pts, dts: pts, keyframe: picture.keyframe, data: picture.data, receivedAt: now, codec: this.codec };
    const refresh = this.codec === 'h264' && !picture.keyframe && startsRefresh(picture.data);
    this.#count(unit, refresh, now - ticksToMs(grabbed));
    this.#history.push(unit, refresh);
    const first = this.#state !== 'running';
    if (first) this.#setState('running');
    this.emit('picture', unit);
    for (const [listener, entry] of this.#listeners) {
      if (entry.awaitingKeyframe) {
        if (!unit.keyframe) continue;
        entry.awaitingKeyframe = false;
      }
      try {
        listener(unit);
      } catch (error) {
        this.#options.log?.warn({ err: (error as Error).message }, 'capture: a subscriber failed');
      }
    }
    // A target asked for while starting or switching is made now (rate limit permitting).
    if ((first || switched) && this.#current && !sameTarget(targetOf(this.#current), this.#desired)) this.#applyTarget();
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
    const fps = this.#current?.encoding.fps ?? this.#desired.fps;
    if (this.#recent.length > 2 * fps) this.#recent.splice(0, this.#recent.length - fps);
    if (this.#crashRestarts > 0 && this.#counters.pictures % (10 * fps) === 0) this.#crashRestarts = 0;
  }

  #onExit(encoder: CaptureEncoder, reason: string): void {
    if (this.#state === 'stopped' || encoder.stopping) return;
    if (encoder === this.#replacement) {
      // The settings asked for stay pending: the next setTarget() or keyframe request tries them again.
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
    clearTimeout(this.#targetTimer);
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

function targetOf(encoder: CaptureEncoder): CaptureTarget {
  const { bitrateKbps, fps, outputHeight, height } = encoder.encoding;
  return { bitrateKbps, fps, height: outputHeight ?? height };
}

function sameTarget(a: CaptureTarget, b: CaptureTarget): boolean {
  return a.bitrateKbps === b.bitrateKbps && a.fps === b.fps && a.height === b.height;
}
