import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Backoff } from '../publish/backoff.js';
import { reapOnExit, withParentDeathSignal } from '../publish/child-reaper.js';
import { encoderInput, type EncoderInput, type EncoderSource } from '../publish/encoder-input.js';
import type { PublishLog } from '../publish/rtp-encoder.js';
import type { AccessUnit } from './access-unit.js';
import { FeedPrebuffer } from './feed-prebuffer.js';
import { FfmpegLogTail } from './ffmpeg-log-tail.js';
import { ingestArgs, type IngestMode } from './ingest-args.js';
import { ParameterSets } from './parameter-sets.js';
import { PtsUnwrapper } from './pts-unwrapper.js';
import { TsDemuxer, type DemuxedPicture } from './ts-demuxer.js';
import { TsTap } from './ts-tap.js';

export type CameraFeedState = 'idle' | 'connecting' | 'running' | 'reconnecting' | 'ended' | 'failed' | 'stopped';

export interface CameraFeedOptions {
  source: EncoderSource;
  /** 'auto' copies H.264 and encodes anything else. */
  mode?: 'auto' | IngestMode;
  ffmpegPath?: string;
  /** No picture for this long after a (re)connect counts as a failure. Default 20000. */
  startTimeoutMs?: number;
  /** Pictures stopping for this long while running counts as a failure. Default 10000. */
  stallTimeoutMs?: number;
  reconnectBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  log?: PublishLog;
}

export interface CameraFeedStats {
  state: CameraFeedState;
  pictures: number;
  bytes: number;
  keyframes: number;
  reconnects: number;
  mode: IngestMode | undefined;
  inputCodec: string | undefined;
  /** Whether the stream reorders pictures (pts ≠ dts): WebRTC cannot carry it as it is. */
  hasBFrames: boolean;
  lastError: string | undefined;
  pid: number | undefined;
}

interface CameraFeedEvents {
  state: [state: CameraFeedState];
  /** Every picture, in decoding order, with timestamps continuing across reconnects. */
  picture: [unit: AccessUnit];
  /** A finite file reached its end. */
  end: [];
}

export type PictureListener = (unit: AccessUnit) => void;

/** A run of ffmpeg that delivered pictures this long resets the reconnect backoff. */
const HEALTHY_RUN_MS = 30_000;
/** Before the frame rate is known, a reconnect leaves this gap on the 90 kHz clock (one frame at 30 fps). */
const DEFAULT_FRAME_TICKS = 3000;
const KILL_GRACE_MS = 1000;
/** Consecutive pictures further apart than this (10 s) are a jump in the camera's clock, not time passing. */
const MAX_PICTURE_GAP_TICKS = 10 * 90_000;

/**
 * One camera, opened once. Analysis, live publishing and recording all subscribe to this feed rather than opening the
 * camera themselves: many cameras allow only a few connections, and each one costs the camera and the network. The
 * feed keeps the pictures since the last keyframe so a new subscriber starts at once, and one continuous timeline
 * (pts only grow, across reconnects), which is what overlays and recordings are keyed by. ffmpeg never outlives
 * stop() or this process.
 */
export class CameraFeed extends EventEmitter<CameraFeedEvents> {
  readonly display: string;
  readonly #options: CameraFeedOptions;
  readonly #input: EncoderInput;
  readonly #log: PublishLog | undefined;
  readonly #prebuffer = new FeedPrebuffer();
  readonly #parameterSets = new ParameterSets();
  readonly #listeners = new Set<PictureListener>();
  readonly #backoff: Backoff;
  #state: CameraFeedState = 'idle';
  #mode: IngestMode | undefined;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastPictureAt = 0;
  #sessionStartedAt = 0;
  #lastDts: number | undefined;
  #frameTicks = DEFAULT_FRAME_TICKS;
  #latest: { pts: number; at: number } | undefined;
  #logTail: FfmpegLogTail | undefined;
  #counters = { pictures: 0, bytes: 0, keyframes: 0, reconnects: 0 };
  #hasBFrames = false;
  #lastError: string | undefined;
  /** The running ffmpeg is being replaced on purpose (it taught us the codec): relaunch without backoff. */
  #restartNow = false;

  constructor(options: CameraFeedOptions) {
    super();
    this.#options = options;
    this.#input = encoderInput(options.source);
    this.display = this.#input.display;
    this.#log = options.log;
    this.#backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 15_000, ...options.reconnectBackoff });
    const mode = options.mode ?? 'auto';
    // A test pattern or a raw capture device has nothing to copy.
    this.#mode = mode !== 'auto' ? mode : this.#input.kind === 'lavfi' || this.#input.kind === 'v4l2' ? 'encode' : undefined;
  }

  get state(): CameraFeedState {
    return this.#state;
  }

  get stats(): CameraFeedStats {
    return {
      state: this.#state,
      ...this.#counters,
      mode: this.#mode,
      inputCodec: this.#logTail?.inputCodec,
      hasBFrames: this.#hasBFrames,
      lastError: this.#lastError,
      pid: this.#child?.pid,
    };
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The pts of the newest picture; undefined before the first. */
  get latestPts(): number | undefined {
    return this.#latest?.pts;
  }

  get hasBFrames(): boolean {
    return this.#hasBFrames;
  }

  /** The feed's 90 kHz timeline mapped to the wall clock, from the newest picture (ms since the epoch). */
  wallClockOf(pts: number): number {
    const latest = this.#latest;
    return latest ? Math.round(latest.at + (pts - latest.pts) / 90) : Date.now();
  }

  /** Open the camera. Pictures flow to subscribers once it delivers; failures retry with backoff. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#launch();
  }

  /**
   * Receive every picture from now on. With `replay`, the pictures since the last keyframe come first, synchronously,
   * so the subscriber can decode from its first picture. Returns the function that unsubscribes.
   */
  subscribe(listener: PictureListener, options: { replay?: boolean } = {}): () => void {
    if (options.replay) for (const unit of this.#prebuffer.snapshot()) listener(unit);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The feed as MPEG-TS streams for ffmpeg consumers (a decoder, a recorder, an encoder). */
  tap(): TsTap {
    return new TsTap(this);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('stopped');
    clearTimeout(this.#retryTimer);
    clearInterval(this.#watchdog);
    this.#listeners.clear();
    await this.#kill();
  }

  #setState(state: CameraFeedState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #launch(): void {
    const mode = this.#mode ?? 'copy';
    const tail = new FfmpegLogTail();
    this.#logTail = tail;
    const { command, args } = withParentDeathSignal(this.#options.ffmpegPath ?? 'ffmpeg', ingestArgs(this.#input, mode));
    this.#setState(this.#counters.pictures === 0 && this.#counters.reconnects === 0 ? 'connecting' : 'reconnecting');
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    reapOnExit(child);
    this.#sessionStartedAt = performance.now();
    this.#lastPictureAt = 0;
    const unwrapPts = new PtsUnwrapper();
    const unwrapDts = new PtsUnwrapper();
    let offset: number | undefined;
    const demuxer = new TsDemuxer({
      picture: (picture) => {
        if (this.#child !== child) return;
        const rawDts = unwrapDts.unwrap(picture.dts);
        const rawPts = unwrapPts.unwrap(picture.pts);
        // A new ffmpeg, a file starting its loop again or a camera resetting its clock: the timeline carries on
        // from the last picture instead of going back (or leaping ahead), which would break every consumer.
        if (offset === undefined || this.#isDiscontinuity(rawDts + offset)) offset = this.#continueFrom(rawDts);
        this.#onPicture(picture, rawPts + offset, rawDts + offset);
      },
    });
    child.stdout.on('data', (chunk: Buffer) => demuxer.push(chunk));
    child.stdout.on('error', () => undefined);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      tail.push(text);
      this.#switchToEncodingIfNeeded(child, tail);
    });
    child.stderr.on('error', () => undefined);
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));
    child.once('close', (code) => {
      demuxer.flush();
      if (this.#child === child) this.#child = undefined;
      this.#onExit(code, spawnError, tail);
    });
    clearInterval(this.#watchdog);
    this.#watchdog = setInterval(() => this.#checkProgress(child), 500);
  }

  /** The offset that puts a picture with this raw dts right after the last picture (or keeps it, for the first). */
  #continueFrom(rawDts: number): number {
    return this.#lastDts === undefined ? 0 : this.#lastDts + this.#frameTicks - rawDts;
  }

  #isDiscontinuity(dts: number): boolean {
    return this.#lastDts !== undefined && (dts <= this.#lastDts || dts > this.#lastDts + MAX_PICTURE_GAP_TICKS);
  }

  #onPicture(picture: DemuxedPicture, pts: number, dts: number): void {
    if (this.#state === 'stopped') return;
    const now = Date.now();
    if (this.#lastDts !== undefined && dts > this.#lastDts && dts - this.#lastDts < 90_000) {
      // A running estimate of the frame interval, for placing the next reconnect.
      this.#frameTicks = Math.round(0.9 * this.#frameTicks + 0.1 * (dts - this.#lastDts));
    }
    this.#lastDts = dts;
    if (pts !== dts) this.#hasBFrames = true;
    const data = this.#parameterSets.complete(picture.data, picture.keyframe);
    const unit: AccessUnit = { pts, dts, keyframe: picture.keyframe, data, receivedAt: now };
    this.#latest = { pts, at: now };
    this.#lastPictureAt = performance.now();
    this.#counters.pictures++;
    this.#counters.bytes += data.length;
    if (picture.keyframe) this.#counters.keyframes++;
    if (this.#state !== 'running') {
      this.#setState('running');
      this.#lastError = undefined;
    }
    this.#prebuffer.push(unit);
    this.emit('picture', unit);
    for (const listener of this.#listeners) {
      try {
        listener(unit);
      } catch (error) {
        this.#log?.warn({ source: this.display, err: (error as Error).message }, 'feed: a subscriber failed');
      }
    }
  }

  #switchToEncodingIfNeeded(child: ChildProcessByStdio<null, Readable, Readable>, tail: FfmpegLogTail): void {
    if (this.#mode !== undefined || tail.inputCodec === undefined) return;
    if (tail.inputCodec === 'h264') {
      this.#mode = 'copy';
      return;
    }
    // Decided once per feed: the copy attempt taught us the codec. The restart is immediate, not a failure.
    this.#mode = 'encode';
    this.#log?.info({ source: this.display, codec: tail.inputCodec }, 'feed: the camera does not send H.264, encoding it once here');
    this.#restartNow = true;
    child.kill('SIGKILL');
  }

  #checkProgress(child: ChildProcessByStdio<null, Readable, Readable>): void {
    if (this.#child !== child) return;
    const now = performance.now();
    const silentFor = now - (this.#lastPictureAt || this.#sessionStartedAt);
    const limit = this.#lastPictureAt === 0 ? (this.#options.startTimeoutMs ?? 20_000) : (this.#options.stallTimeoutMs ?? 10_000);
    if (silentFor > limit) {
      this.#lastError = this.#lastPictureAt === 0 ? `no picture from ${this.display} within ${limit} ms` : `pictures stopped arriving from ${this.display}`;
      child.kill('SIGKILL');
    }
  }

  #onExit(code: number | null, spawnError: Error | undefined, tail: FfmpegLogTail): void {
    clearInterval(this.#watchdog);
    if (this.#state === 'stopped') return;
    if (this.#restartNow) {
      this.#restartNow = false;
      this.#launch();
      return;
    }
    if (code === 0 && this.#input.finite) {
      this.#setState('ended');
      this.emit('end');
      return;
    }
    const reason = spawnError ? `ffmpeg could not be started: ${spawnError.message}` : this.#lastError ?? tail.reason();
    this.#lastError = reason;
    if (spawnError || (this.#input.finite && this.#counters.pictures === 0)) {
      this.#log?.warn({ source: this.display, err: reason }, 'feed: cannot open the camera');
      this.#setState('failed');
      return;
    }
    if (performance.now() - this.#sessionStartedAt > HEALTHY_RUN_MS) this.#backoff.reset();
    const delay = this.#backoff.next();
    this.#counters.reconnects++;
    this.#log?.warn({ source: this.display, err: reason, retryInMs: delay }, 'feed: camera lost, reconnecting');
    this.#setState('reconnecting');
    this.#retryTimer = setTimeout(() => {
      if (this.#state !== 'stopped') this.#launch();
    }, delay);
  }

  async #kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }
}
