import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Backoff } from './backoff.js';
import { isLauncherExecFailure } from './child-reaper.js';
import { RtpEncoderError, type RtpEncoderErrorCode } from './encoder-error.js';
import { rtpEncoderArgs } from './encoder-args.js';
import { encoderInput, type EncoderInput, type EncoderSource } from './encoder-input.js';
import { FfmpegRtpSession, type SessionExit } from './ffmpeg-rtp-session.js';
import { decideKeyframe, type KeyframeDecision, type KeyframeMode } from './keyframe-policy.js';
import { RtpContinuity } from './rtp-continuity.js';
import { startsH264Idr, type RtpHeader } from './rtp-packet.js';

/** A pino-compatible logger (the edge's fits). */
export interface PublishLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface RtpEncoderOptions {
  source: EncoderSource;
  /** Copy the source's H.264 instead of encoding (fails with 'not-h264' when it is something else). */
  passthrough?: boolean;
  /**
   * A PGM picture (renderPrivacyMask) whose white areas are blacked out before anything is sent. It needs encoding:
   * with passthrough the options are refused.
   */
  privacyMaskPath?: string;
  /** Output size; one of them alone keeps the aspect ratio. Default: the source's. */
  width?: number;
  height?: number;
  /** Output frame rate. Default: the source's. */
  fps?: number;
  /** Target (and maximum) bitrate. Default 1500. */
  bitrateKbps?: number;
  /** Interval between scheduled keyframes. Default 1. */
  gopSeconds?: number;
  /** See KeyframeMode. Default 'restart'. Passthrough always waits for the camera's keyframes. */
  keyframeMode?: KeyframeMode;
  /** The least time between two keyframe restarts. Default 2000. */
  minRestartIntervalMs?: number;
  /** RTP payload type of the emitted packets. Default 96. */
  payloadType?: number;
  /** SSRC of the emitted packets. Default random. */
  ssrc?: number;
  /** Largest RTP packet ffmpeg writes; 1200 leaves room for SRTP and header extensions on any path. */
  maxPacketSize?: number;
  /** How long the first ffmpeg may take to produce a packet. Default 15000 (an RTSP camera can be slow). */
  startTimeoutMs?: number;
  /** Delays between attempts to bring ffmpeg back after it died mid-stream (a camera dropped). */
  recoveryBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  ffmpegPath?: string;
  log?: PublishLog;
}

export type RtpEncoderState = 'idle' | 'starting' | 'running' | 'recovering' | 'ended' | 'failed' | 'stopped';

export interface KeyframeEvent {
  /** performance.now() when its first packet was emitted. */
  at: number;
  /** The keyframe's RTP timestamp (in the emitted stream). */
  rtpTimestamp: number;
  /** Whether it is the first frame of a fresh ffmpeg (start, keyframe restart or recovery). */
  fromRestart: boolean;
  /** Time since the oldest requestKeyframe() this keyframe answers; undefined if none was pending. */
  sinceRequestMs?: number;
}

export interface RtpEncoderStats {
  state: RtpEncoderState;
  pid: number | undefined;
  packets: number;
  bytes: number;
  keyframes: number;
  keyframeRequests: number;
  keyframeRestarts: number;
  recoveries: number;
  /** From spawning the first ffmpeg to its first RTP packet. */
  startLatencyMs: number | undefined;
  /** Running estimate of a restart's spawn-to-first-packet time, used by the keyframe policy. */
  expectedRestartMs: number;
  lastKeyframeAgeMs: number | undefined;
  /** The source's video codec as ffmpeg reported it. */
  inputCodec: string | undefined;
}

interface RtpEncoderEvents {
  rtp: [packet: Buffer];
  keyframe: [event: KeyframeEvent];
  state: [state: RtpEncoderState];
  /** A fatal error after start() resolved; the encoder is then 'failed'. (Not 'error': nobody must be forced to listen.) */
  failure: [error: RtpEncoderError];
  /** A finite file reached its end. */
  end: [];
}

type LaunchReason = 'start' | 'keyframe' | 'recovery';

/** A fresh ffmpeg that will take over the stream when its first packet arrives. */
interface PendingSession {
  session: FfmpegRtpSession;
  reason: LaunchReason;
  /** Where in a file it started (-ss). */
  seekSeconds: number;
  /** Its packets, held while the old ffmpeg finishes the frame it is sending. */
  held: [Buffer, RtpHeader][];
  holdTimer?: NodeJS.Timeout;
}

/** Packets of a fresh ffmpeg are held at most this long while the old one finishes its frame. */
const SWITCH_HOLD_MAX_MS = 100;
/** Before the first restart is measured, a restart is assumed to take this long. */
const DEFAULT_RESTART_MS = 250;
/** A recovered ffmpeg that has run this long resets the recovery backoff. */
const HEALTHY_RUN_MS = 30_000;

const silentLog: PublishLog = { info: () => undefined, warn: () => undefined };

/**
 * Camera video as H.264 RTP packets, from an ffmpeg child (x264 ultrafast/zerolatency/baseline with a short GOP, or
 * passthrough of H.264). Emits 'rtp' with each packet (a fresh Buffer the listener may keep). One continuous RTP
 * stream survives ffmpeg restarts, which serve keyframe requests (see KeyframeMode) and recover from a source that
 * dropped. ffmpeg never outlives stop(), a fatal error, or this process.
 */
export class RtpEncoder extends EventEmitter<RtpEncoderEvents> {
  readonly passthrough: boolean;
  readonly display: string;
  readonly #options: RtpEncoderOptions;
  readonly #log: PublishLog;
  readonly #continuity: RtpContinuity;
  readonly #recoveryBackoff: Backoff;
  #state: RtpEncoderState = 'idle';
  #active: FfmpegRtpSession | undefined;
  #pending: PendingSession | undefined;
  #retired = new Set<FfmpegRtpSession>();
  /** Launches between the request and the spawn (the socket is being bound). */
  #opening = 0;
  #warnedAboutReordering = false;
  #lastEmittedTimestamp: number | undefined;
  /** The last emitted packet did not end its frame: a switch waits for the frame to end. */
  #midFrame = false;
  #startWaiter: { resolve: () => void; reject: (error: RtpEncoderError) => void } | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  #recoveryTimer: NodeJS.Timeout | undefined;
  /** Where in a file the active ffmpeg started, and when its first packet came: to resume there after a restart. */
  #mediaBase = { seconds: 0, at: 0 };
  #durationSeconds: number | undefined;
  /** The active ffmpeg has not sent its first keyframe yet. */
  #activeIsFresh = false;
  #lastKeyframeAt: number | undefined;
  #lastKeyframeTimestamp: number | undefined;
  #observedKeyframeIntervalMs: number | undefined;
  #keyframeRequestedAt: number | undefined;
  #lastRestartAt: number | undefined;
  #expectedRestartMs = DEFAULT_RESTART_MS;
  #startLatencyMs: number | undefined;
  #inputCodec: string | undefined;
  #counters = { packets: 0, bytes: 0, keyframes: 0, keyframeRequests: 0, keyframeRestarts: 0, recoveries: 0 };

  constructor(options: RtpEncoderOptions) {
    super();
    validateOptions(options);
    this.#options = options;
    this.passthrough = options.passthrough ?? false;
    this.display = encoderInput(options.source).display;
    this.#log = options.log ?? silentLog;
    this.#continuity = new RtpContinuity(options.ssrc ?? randomInt(1, 0xffffffff), options.payloadType ?? 96);
    this.#recoveryBackoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 10_000, ...options.recoveryBackoff });
  }

  get state(): RtpEncoderState {
    return this.#state;
  }

  get ssrc(): number {
    return this.#continuity.ssrc;
  }

  get payloadType(): number {
    return this.#continuity.payloadType;
  }

  /** The pid of the ffmpeg whose packets are being emitted. */
  get pid(): number | undefined {
    return this.#active?.pid;
  }

  /** Every ffmpeg this encoder has running right now (two during a switch). */
  get pids(): number[] {
    return [this.#active, this.#pending?.session, ...this.#retired]
      .map((session) => (session?.exitInfo === undefined ? session?.pid : undefined))
      .filter((pid): pid is number => pid !== undefined);
  }

  /** Start ffmpeg; resolves when its first RTP packet has been emitted, rejects with an RtpEncoderError. */
  start(): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new RtpEncoderError('invalid-options', `encoder already ${this.#state}`));
    this.#setState('starting');
    const started = new Promise<void>((resolve, reject) => {
      this.#startWaiter = { resolve, reject };
    });
    this.#startTimer = setTimeout(() => {
      const timeoutMs = this.#options.startTimeoutMs ?? 15_000;
      this.#fail(new RtpEncoderError('start-timeout', `ffmpeg produced no video from ${this.display} within ${timeoutMs} ms`));
    }, this.#options.startTimeoutMs ?? 15_000);
    void this.#launch('start');
    return started;
  }

  /** Ask for a keyframe as soon as possible; says what will happen (see KeyframeMode). */
  requestKeyframe(): KeyframeDecision {
    const now = performance.now();
    this.#counters.keyframeRequests++;
    const gopMs = (this.#options.gopSeconds ?? 1) * 1000;
    const decision = decideKeyframe({
      now,
      mode: this.#options.keyframeMode ?? 'restart',
      passthrough: this.passthrough,
      running: this.#state === 'running',
      lastKeyframeAt: this.#lastKeyframeAt,
      keyframeIntervalMs: this.passthrough ? (this.#observedKeyframeIntervalMs ?? gopMs) : gopMs,
      restartInProgress: this.#pending !== undefined || this.#opening > 0,
      lastRestartAt: this.#lastRestartAt,
      minRestartIntervalMs: this.#options.minRestartIntervalMs ?? 2000,
      expectedRestartMs: this.#expectedRestartMs,
    });
    if (decision.reason !== 'not-running') this.#keyframeRequestedAt ??= now;
    if (decision.action === 'restart') {
      this.#lastRestartAt = now;
      this.#counters.keyframeRestarts++;
      void this.#launch('keyframe');
    }
    return decision;
  }

  stats(): RtpEncoderStats {
    return {
      state: this.#state,
      pid: this.pid,
      ...this.#counters,
      startLatencyMs: this.#startLatencyMs,
      expectedRestartMs: Math.round(this.#expectedRestartMs),
      lastKeyframeAgeMs: this.#lastKeyframeAt === undefined ? undefined : Math.round(performance.now() - this.#lastKeyframeAt),
      inputCodec: this.#inputCodec,
    };
  }

  /** Stop every ffmpeg and wait until they have exited. */
  async stop(): Promise<void> {
    if (this.#state === 'idle') this.#setState('stopped');
    if (!isFinal(this.#state)) {
      this.#setState('stopped');
      this.#settleStart(new RtpEncoderError('stopped', 'the encoder was stopped before it started'));
    }
    await this.#killAll();
  }

  async #launch(reason: LaunchReason): Promise<void> {
    const seekSeconds = this.#resumePosition(reason);
    const input = encoderInput(this.#options.source, seekSeconds);
    let session: FfmpegRtpSession;
    this.#opening++;
    try {
      session = await FfmpegRtpSession.open(this.#options.ffmpegPath ?? 'ffmpeg', (port) => this.#args(input, port));
    } catch (error) {
      this.#opening--;
      this.#launchFailed(reason, new RtpEncoderError('ffmpeg-failed', `cannot open a local RTP socket: ${String(error)}`, { cause: error }));
      return;
    }
    this.#opening--;
    if (isFinal(this.#state)) {
      void session.kill();
      return;
    }
    const previous = this.#pending;
    this.#pending = { session, reason, seekSeconds, held: [] };
    if (previous !== undefined) this.#retire(previous.session);
    session.on('packet', (packet, header) => this.#onPacket(session, packet, header));
    session.on('input', (info) => {
      this.#inputCodec = info.videoCodec;
      this.#durationSeconds = info.durationSeconds;
      if (this.passthrough && info.videoCodec !== undefined && info.videoCodec !== 'h264') {
        this.#fail(new RtpEncoderError('not-h264', `passthrough needs H.264, but ${this.display} is ${info.videoCodec}`));
      }
    });
    session.on('exit', (exit) => this.#onExit(session, input, exit));
    this.#log.info({ source: this.display, pid: session.pid, reason }, 'encoder ffmpeg started');
  }

  #args(input: EncoderInput, port: number): string[] {
    const o = this.#options;
    const video = this.passthrough
      ? 'passthrough'
      : {
          width: o.width,
          height: o.height,
          fps: o.fps,
          bitrateKbps: o.bitrateKbps ?? 1500,
          gopSeconds: o.gopSeconds ?? 1,
          privacyMaskPath: o.privacyMaskPath,
        };
    return rtpEncoderArgs(input, video, { port, payloadType: this.payloadType, maxPacketSize: o.maxPacketSize ?? 1200 });
  }

  /** A file resumes where the stream is now (plus the restart's own delay), so a restart does not rewind it. */
  #resumePosition(reason: LaunchReason): number {
    const duration = this.#durationSeconds;
    if (reason === 'start' || this.#mediaBase.at === 0) return 0;
    const elapsed = (performance.now() - this.#mediaBase.at + this.#expectedRestartMs) / 1000;
    const position = this.#mediaBase.seconds + elapsed;
    return duration !== undefined && duration > 0 ? position % duration : position;
  }

  #onPacket(session: FfmpegRtpSession, packet: Buffer, header: RtpHeader): void {
    if (session === this.#active) {
      this.#emitPacket(packet, header);
      // The old encoder's frame is complete: the fresh one takes over at this boundary.
      if (header.marker && this.#pending !== undefined && this.#pending.held.length > 0) this.#switchToPending();
      return;
    }
    const pending = this.#pending;
    if (pending === undefined || session !== pending.session) return;
    pending.held.push([packet, header]);
    if (pending.held.length > 1) return;
    const latency = (session.firstPacketAt ?? performance.now()) - session.startedAt;
    this.#expectedRestartMs = pending.reason === 'start' ? latency : 0.7 * this.#expectedRestartMs + 0.3 * latency;
    if (pending.reason === 'start') this.#startLatencyMs = Math.round(latency);
    if (this.#active === undefined || !this.#midFrame) {
      this.#switchToPending();
      return;
    }
    pending.holdTimer = setTimeout(() => this.#switchToPending(), SWITCH_HOLD_MAX_MS);
  }

  #switchToPending(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    clearTimeout(pending.holdTimer);
    this.#pending = undefined;
    if (this.#active !== undefined) this.#retire(this.#active);
    this.#active = pending.session;
    this.#activeIsFresh = true;
    this.#mediaBase = { seconds: pending.seekSeconds, at: performance.now() };
    for (const [packet, header] of pending.held) this.#emitPacket(packet, header);
    if (pending.reason === 'recovery') this.#counters.recoveries++;
    if (pending.reason === 'start') {
      clearTimeout(this.#startTimer);
      this.#setState('running');
      this.#settleStart();
    } else if (this.#state === 'recovering') {
      this.#setState('running');
    }
    const session = pending.session;
    setTimeout(() => {
      if (this.#active === session) this.#recoveryBackoff.reset();
    }, HEALTHY_RUN_MS).unref();
  }

  #emitPacket(packet: Buffer, header: RtpHeader): void {
    // Detect before rewriting: the parsed header still describes the packet as ffmpeg numbered it.
    const idr = startsH264Idr(packet, header.headerLength);
    this.#continuity.rewrite(packet, header, this.#active as object);
    this.#midFrame = !header.marker;
    this.#checkOrder(packet.readUInt32BE(4));
    this.#counters.packets++;
    this.#counters.bytes += packet.length;
    if (idr) this.#noteKeyframe(packet.readUInt32BE(4));
    this.emit('rtp', packet);
  }

  /**
   * Timestamps that go backwards mean B-frames (frame reordering), which only a passthrough source can have. WebRTC
   * receivers play frames in the order they arrive, so the picture stutters: such a camera should be encoded.
   */
  #checkOrder(timestamp: number): void {
    const previous = this.#lastEmittedTimestamp;
    this.#lastEmittedTimestamp = timestamp;
    if (previous === undefined || this.#warnedAboutReordering || ((timestamp - previous) | 0) >= 0) return;
    this.#warnedAboutReordering = true;
    this.#log.warn({ source: this.display }, 'the source has B-frames (frame reordering); browsers may stutter: encode instead of passthrough');
  }

  #noteKeyframe(rtpTimestamp: number): void {
    if (rtpTimestamp === this.#lastKeyframeTimestamp) return;
    const now = performance.now();
    const fromRestart = this.#activeIsFresh;
    this.#activeIsFresh = false;
    if (this.#lastKeyframeAt !== undefined && !fromRestart) {
      const interval = now - this.#lastKeyframeAt;
      this.#observedKeyframeIntervalMs =
        this.#observedKeyframeIntervalMs === undefined ? interval : 0.7 * this.#observedKeyframeIntervalMs + 0.3 * interval;
    }
    this.#lastKeyframeAt = now;
    this.#lastKeyframeTimestamp = rtpTimestamp;
    this.#counters.keyframes++;
    const requestedAt = this.#keyframeRequestedAt;
    this.#keyframeRequestedAt = undefined;
    this.emit('keyframe', {
      at: now,
      rtpTimestamp,
      fromRestart,
      ...(requestedAt === undefined ? {} : { sinceRequestMs: now - requestedAt }),
    });
  }

  #onExit(session: FfmpegRtpSession, input: EncoderInput, exit: SessionExit): void {
    this.#retired.delete(session);
    if (exit.requested || isFinal(this.#state)) return;
    const error = errorFromExit(exit, this.display);
    if (session === this.#pending?.session) {
      clearTimeout(this.#pending.holdTimer);
      const reason = this.#pending.reason;
      this.#pending = undefined;
      this.#launchFailed(reason, error);
      return;
    }
    if (session !== this.#active) return;
    this.#active = undefined;
    this.#midFrame = false;
    if (exit.code === 0 && input.finite) {
      this.#log.info({ source: this.display }, 'encoder source ended');
      this.#setState('ended');
      this.emit('end');
      return;
    }
    this.#log.warn({ source: this.display, code: exit.code, signal: exit.signal, error: error.message }, 'encoder ffmpeg exited unexpectedly');
    // A restart already under way takes over; otherwise bring ffmpeg back.
    if (this.#pending === undefined) this.#recover();
  }

  #launchFailed(reason: LaunchReason, error: RtpEncoderError): void {
    if (reason === 'start' || FATAL_CODES.has(error.code)) {
      this.#fail(error);
      return;
    }
    this.#log.warn({ source: this.display, reason, error: error.message }, 'encoder restart failed');
    if (this.#active === undefined) this.#recover();
  }

  #recover(): void {
    if (isFinal(this.#state) || this.#recoveryTimer !== undefined) return;
    this.#setState('recovering');
    const delay = this.#recoveryBackoff.next();
    this.#recoveryTimer = setTimeout(() => {
      this.#recoveryTimer = undefined;
      if (!isFinal(this.#state)) void this.#launch('recovery');
    }, delay);
  }

  #fail(error: RtpEncoderError): void {
    if (isFinal(this.#state)) return;
    const wasStarting = this.#state === 'starting';
    this.#setState('failed');
    this.#log.warn({ source: this.display, code: error.code, error: error.message }, 'encoder failed');
    void this.#killAll();
    if (wasStarting) this.#settleStart(error);
    else this.emit('failure', error);
  }

  #settleStart(error?: RtpEncoderError): void {
    clearTimeout(this.#startTimer);
    const waiter = this.#startWaiter;
    this.#startWaiter = undefined;
    if (waiter === undefined) return;
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }

  #retire(session: FfmpegRtpSession): void {
    if (session.exitInfo !== undefined) return;
    this.#retired.add(session);
    void session.kill();
  }

  async #killAll(): Promise<void> {
    clearTimeout(this.#recoveryTimer);
    clearTimeout(this.#startTimer);
    this.#recoveryTimer = undefined;
    const sessions = [this.#active, this.#pending?.session, ...this.#retired].filter((s): s is FfmpegRtpSession => s !== undefined);
    if (this.#pending !== undefined) clearTimeout(this.#pending.holdTimer);
    this.#active = undefined;
    this.#pending = undefined;
    await Promise.all(sessions.map((session) => session.kill()));
    this.#retired.clear();
  }

  #setState(state: RtpEncoderState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }
}

const FATAL_CODES = new Set<RtpEncoderErrorCode>(['ffmpeg-not-found', 'not-h264', 'invalid-options']);

function isFinal(state: RtpEncoderState): boolean {
  return state === 'stopped' || state === 'failed' || state === 'ended';
}

function errorFromExit(exit: SessionExit, display: string): RtpEncoderError {
  if (exit.spawnError !== undefined) {
    const code = (exit.spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? 'ffmpeg-not-found' : 'ffmpeg-failed';
    return new RtpEncoderError(code, `cannot run ffmpeg: ${exit.spawnError.message}`, { cause: exit.spawnError });
  }
  if (isLauncherExecFailure(exit.code, exit.stderrTail)) {
    return new RtpEncoderError('ffmpeg-not-found', `cannot run ffmpeg: ${exit.stderrTail.at(-1) ?? ''}`);
  }
  const log = exit.stderrTail.filter((line) => !/^\s/.test(line)).slice(-3).join(' | ');
  if (exit.stderrTail.some((line) => /No such file or directory|Cannot open video device/i.test(line))) {
    return new RtpEncoderError('source-not-found', `${display} does not exist (ffmpeg: ${log})`);
  }
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new RtpEncoderError('ffmpeg-failed', `ffmpeg reading ${display} ${how}: ${log || 'no log output'}`);
}

function validateOptions(o: RtpEncoderOptions): void {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined, max: number) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= max)) problems.push(`${name} must be in (0, ${max}]`);
  };
  if (o.passthrough && o.privacyMaskPath) problems.push('privacyMaskPath needs encoding: a masked camera cannot be passed through');
  positive('width', o.width, 7680);
  positive('height', o.height, 4320);
  positive('fps', o.fps, 240);
  positive('bitrateKbps', o.bitrateKbps, 100_000);
  positive('gopSeconds', o.gopSeconds, 60);
  positive('startTimeoutMs', o.startTimeoutMs, 600_000);
  for (const [name, value] of [['width', o.width], ['height', o.height]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value % 2 !== 0)) problems.push(`${name} must be an even integer`);
  }
  if (o.payloadType !== undefined && !(Number.isInteger(o.payloadType) && o.payloadType >= 96 && o.payloadType <= 127)) {
    problems.push('payloadType must be a dynamic payload type (96..127)');
  }
  if (o.ssrc !== undefined && !(Number.isInteger(o.ssrc) && o.ssrc >= 0 && o.ssrc <= 0xffffffff)) problems.push('ssrc must be a 32-bit unsigned integer');
  if (o.maxPacketSize !== undefined && !(Number.isInteger(o.maxPacketSize) && o.maxPacketSize >= 200 && o.maxPacketSize <= 1500)) {
    problems.push('maxPacketSize must be an integer in [200, 1500]');
  }
  if (typeof o.source === 'string' ? o.source.trim() === '' : o.source.inputArgs.length === 0) problems.push('source is empty');
  if (problems.length > 0) throw new RtpEncoderError('invalid-options', `invalid encoder options: ${problems.join('; ')}`);
}
