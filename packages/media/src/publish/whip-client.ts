import { EventEmitter } from 'node:events';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  type RTCRtpTransceiver,
  type RtcpPacket,
} from 'werift';
import { h264Codec, peerConfig, vp8Codec, type IceOptions } from '../ice.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { RtpEncoderError } from './encoder-error.js';
import type { KeyframeDecision } from './keyframe-policy.js';
import type { RtpVideoSource } from './rtp-video-source.js';
import type { PublishLog } from './rtp-encoder.js';
import { WhipError } from './whip-error.js';
import { deleteWhipResource, postWhipOffer } from './whip-http.js';

export type WhipToken = string | (() => string | Promise<string>);

export interface WhipClientOptions {
  /** The WHIP endpoint to POST the offer to. */
  url: string;
  /** Sent as `Authorization: Bearer`. A function is asked again before every attempt, so a short-lived token can be renewed. */
  token?: WhipToken;
  /** The video to send. The client owns it: start() starts it and stop() stops it. */
  encoder: RtpVideoSource;
  ice: IceOptions;
  /** Per HTTP request. Default 10000. */
  requestTimeoutMs?: number;
  /** From the POST to ICE+DTLS connected. Default 10000. */
  connectTimeoutMs?: number;
  /**
   * Connected but no RTCP from the receiver for this long, while sending: the receiver is gone (a crashed hub sends no
   * DTLS close, and ICE consent takes 30 s to expire). Receivers report about every second. Default 5000.
   */
  rtcpTimeoutMs?: number;
  /** Delays between attempts after a failure. Default 500 ms doubling to 15 s. */
  reconnectBackoff?: BackoffOptions;
  /** Consecutive failed attempts after which the client gives up ('failed'). Default: never gives up. */
  maxAttempts?: number;
  /**
   * Data channels to open on every connection (cloud streaming: the player's input, forwarded by the hub). Messages
   * arriving on them are emitted as `message`.
   */
  dataChannels?: readonly WhipDataChannel[];
  log?: PublishLog;
}

export interface WhipDataChannel {
  label: string;
  /** Default true. */
  ordered?: boolean;
  /** Partial reliability: a message older than this is no longer resent. */
  maxPacketLifeTime?: number;
}

export type WhipClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'failed';

export interface WhipStateChange {
  state: WhipClientState;
  /** Attempts since the last successful connection (1 for the first try). */
  attempt: number;
  /** Why the previous attempt or connection ended. */
  error?: WhipError;
  /** When 'reconnecting': the wait before the next attempt. */
  retryInMs?: number;
}

export interface KeyframeRequestEvent {
  kind: 'pli' | 'fir';
  decision: KeyframeDecision;
}

export interface WhipClientStats {
  state: WhipClientState;
  resourceUrl: string | undefined;
  connects: number;
  failedAttempts: number;
  packetsSent: number;
  pliReceived: number;
  firReceived: number;
  /** From start() to the first connection. */
  firstConnectMs: number | undefined;
  lastError: WhipError | undefined;
}

interface WhipClientEvents {
  state: [change: WhipStateChange];
  'keyframe-request': [event: KeyframeRequestEvent];
  /** A message on one of `dataChannels`. */
  message: [label: string, data: string | Buffer];
}

/** One attempt's peer connection and what hangs off it. */
interface Attempt {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  transceiver: RTCRtpTransceiver;
  resourceUrl?: string;
  token?: string;
  lastRtcpAt: number;
  lastSentAt: number;
  disposers: (() => void)[];
  ended: boolean;
}

/** Payload-specific feedback message types (RFC 4585, RFC 5104). */
const PSFB_PLI = 1;
const PSFB_FIR = 4;

const silentLog: PublishLog = { info: () => undefined, warn: () => undefined };
const GATHERING_TIMEOUT_MS = 5000;

/**
 * Publishes an RtpEncoder's video to a WHIP endpoint over WebRTC (werift, sendonly H.264, or VP8 when the encoder's
 * `codec` says so). Answers the receiver's PLI/FIR with encoder.requestKeyframe(), reconnects with backoff (a fresh
 * POST) when an attempt fails or the connection dies, and DELETEs its WHIP resource on stop(). Never throws after
 * start(): problems are 'state' events.
 */
export class WhipClient extends EventEmitter<WhipClientEvents> {
  readonly #options: WhipClientOptions;
  readonly #encoder: RtpVideoSource;
  readonly #log: PublishLog;
  readonly #backoff: Backoff;
  #state: WhipClientState = 'idle';
  #attempt: Attempt | undefined;
  #attemptNumber = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #stats = { connects: 0, failedAttempts: 0, packetsSent: 0, pliReceived: 0, firReceived: 0 };
  #firstConnectMs: number | undefined;
  #lastError: WhipError | undefined;
  readonly #onRtp = (packet: Buffer) => this.#send(packet);

  constructor(options: WhipClientOptions) {
    super();
    try {
      new URL(options.url);
    } catch {
      throw new WhipError('bad-response', `WHIP url "${options.url}" is not a URL`);
    }
    this.#options = options;
    this.#encoder = options.encoder;
    this.#log = options.log ?? silentLog;
    this.#backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 15_000, ...options.reconnectBackoff });
  }

  get state(): WhipClientState {
    return this.#state;
  }

  get encoder(): RtpVideoSource {
    return this.#encoder;
  }

  /** The current WHIP session's resource URL, once an endpoint has accepted the offer. */
  get resourceUrl(): string | undefined {
    return this.#attempt?.resourceUrl;
  }

  /**
   * Start the encoder and begin publishing. Resolves once the encoder runs (rejects with its RtpEncoderError if the
   * source cannot be read); connecting then goes on in the background: watch 'state' or await whenConnected().
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new WhipError('connection-failed', `the client was already started (${this.#state})`);
    this.#startedAt = performance.now();
    this.#encoder.on('failure', this.#onEncoderFailure);
    this.#encoder.on('end', this.#onEncoderEnd);
    this.#encoder.on('rtp', this.#onRtp);
    // Connecting and starting ffmpeg overlap: both take a few hundred milliseconds.
    void this.#connect();
    try {
      await this.#encoder.start();
    } catch (error) {
      // The client gave up or was stopped while ffmpeg was starting: its state already says why.
      if (this.#isFinished()) return;
      const cause = error as RtpEncoderError;
      this.#lastError = new WhipError('encoder-failed', `cannot publish: ${cause.message}`, undefined, { cause });
      await this.#shutDown('failed', this.#lastError);
      throw error;
    }
  }

  /** Resolves at the next (or current) 'connected'; rejects on 'failed', 'stopped' or the timeout. */
  whenConnected(timeoutMs = 15_000): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    if (this.#isFinished()) return Promise.reject(this.#lastError ?? new Error(`publishing ${this.#state}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`not connected within ${timeoutMs} ms (state ${this.#state})`)), timeoutMs);
      const onState = (change: WhipStateChange) => {
        if (change.state === 'connected') finish();
        else if (change.state === 'failed' || change.state === 'stopped') finish(change.error ?? new Error(`publishing ${change.state}`));
      };
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.off('state', onState);
        if (error) reject(error);
        else resolve();
      };
      this.on('state', onState);
    });
  }

  /** Stop publishing: DELETE the WHIP resource, close the connection, stop the encoder (ffmpeg exits). */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'failed') {
      await this.#encoder.stop();
      return;
    }
    await this.#shutDown('stopped');
  }

  stats(): WhipClientStats {
    return {
      state: this.#state,
      resourceUrl: this.resourceUrl,
      ...this.#stats,
      firstConnectMs: this.#firstConnectMs,
      lastError: this.#lastError,
    };
  }

  async #connect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#isFinished()) return;
    this.#attemptNumber++;
    this.#setState(this.#stats.connects === 0 && this.#stats.failedAttempts === 0 ? 'connecting' : 'reconnecting');
    const attempt = this.#newAttempt();
    this.#attempt = attempt;
    try {
      await this.#negotiate(attempt);
      if (attempt.ended) return;
      this.#onConnected(attempt);
    } catch (error) {
      if (attempt.ended) return;
      const whipError =
        error instanceof WhipError ? error : new WhipError('connection-failed', `publishing failed: ${String(error)}`, undefined, { cause: error });
      this.#onAttemptFailed(attempt, whipError);
    }
  }

  #newAttempt(): Attempt {
    // Only the encoder's codec is offered (H.264 unless it says VP8): the answerer must not be able to pick another.
    const codec = this.#encoder.codec === 'vp8' ? vp8Codec() : h264Codec();
    const pc = new RTCPeerConnection({ ...peerConfig(this.#options.ice), codecs: { video: [codec] } });
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    const attempt: Attempt = { pc, track, transceiver, lastRtcpAt: 0, lastSentAt: 0, disposers: [], ended: false };
    for (const spec of this.#options.dataChannels ?? []) {
      const channel = pc.createDataChannel(spec.label, { ordered: spec.ordered ?? true, maxPacketLifeTime: spec.maxPacketLifeTime });
      attempt.disposers.push(
        channel.onMessage.subscribe((data) => {
          if (this.#attempt === attempt) this.emit('message', spec.label, data);
        }).unSubscribe,
      );
    }
    attempt.disposers.push(
      transceiver.sender.onRtcp.subscribe((packet) => this.#onRtcp(attempt, packet)).unSubscribe,
      pc.connectionStateChange.subscribe((state) => {
        if ((state === 'failed' || state === 'closed') && this.#attempt === attempt && this.#state === 'connected') {
          this.#onAttemptFailed(attempt, new WhipError('connection-failed', `the connection to ${this.#options.url} ${state}`));
        }
      }).unSubscribe,
    );
    return attempt;
  }

  async #negotiate(attempt: Attempt): Promise<void> {
    const { pc } = attempt;
    await pc.setLocalDescription(await pc.createOffer());
    // No trickle ICE: the offer carries every candidate, so one POST is the whole exchange.
    await waitFor(() => pc.iceGatheringState === 'complete', pc.iceGatheringStateChange, GATHERING_TIMEOUT_MS, 'ICE gathering');
    const offerSdp = pc.localDescription?.sdp;
    if (offerSdp === undefined) throw new WhipError('connection-failed', 'no local offer after ICE gathering');
    attempt.token = await this.#resolveToken();
    if (attempt.ended) return;
    const answer = await postWhipOffer(this.#options.url, offerSdp, attempt.token, this.#options.requestTimeoutMs ?? 10_000);
    attempt.resourceUrl = answer.resourceUrl;
    if (attempt.ended) {
      this.#deleteResource(attempt);
      return;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.answerSdp });
    const connectTimeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    try {
      await waitFor(
        () => pc.connectionState === 'connected',
        pc.connectionStateChange,
        connectTimeoutMs,
        'ICE/DTLS connection',
        () => pc.connectionState === 'failed' || pc.connectionState === 'closed',
      );
    } catch (error) {
      throw new WhipError('connection-failed', `could not connect to ${this.#options.url}: ${(error as Error).message}`, undefined, { cause: error });
    }
  }

  #onConnected(attempt: Attempt): void {
    const now = performance.now();
    attempt.lastRtcpAt = now;
    this.#stats.connects++;
    this.#firstConnectMs ??= Math.round(now - this.#startedAt);
    this.#attemptNumber = 0;
    this.#backoff.reset();
    this.#setState('connected');
    this.#log.info({ url: this.#options.url, resource: attempt.resourceUrl }, 'publishing');
    // The receiver cannot decode until a keyframe: ask for one now instead of waiting up to a GOP.
    this.#encoder.requestKeyframe();
    const rtcpTimeoutMs = this.#options.rtcpTimeoutMs ?? 5000;
    const watchdog = setInterval(() => {
      const at = performance.now();
      const sending = at - attempt.lastSentAt < rtcpTimeoutMs;
      if (sending && at - attempt.lastRtcpAt > rtcpTimeoutMs) {
        this.#onAttemptFailed(attempt, new WhipError('remote-silent', `no RTCP from ${this.#options.url} for ${rtcpTimeoutMs} ms`));
      }
    }, Math.max(100, rtcpTimeoutMs / 4));
    attempt.disposers.push(() => clearInterval(watchdog));
  }

  #send(packet: Buffer): void {
    const attempt = this.#attempt;
    if (attempt === undefined || this.#state !== 'connected') return;
    attempt.lastSentAt = performance.now();
    this.#stats.packetsSent++;
    attempt.track.writeRtp(packet);
  }

  #onRtcp(attempt: Attempt, packet: RtcpPacket): void {
    attempt.lastRtcpAt = performance.now();
    if (packet.type !== RtcpPayloadSpecificFeedback.type || this.#attempt !== attempt) return;
    const count = (packet as RtcpPayloadSpecificFeedback).feedback.count;
    const kind = count === PSFB_PLI ? 'pli' : count === PSFB_FIR ? 'fir' : undefined;
    if (kind === undefined) return;
    if (kind === 'pli') this.#stats.pliReceived++;
    else this.#stats.firReceived++;
    const decision = this.#encoder.requestKeyframe();
    this.emit('keyframe-request', { kind, decision });
  }

  #onAttemptFailed(attempt: Attempt, error: WhipError): void {
    if (attempt.ended || this.#isFinished()) return;
    this.#endAttempt(attempt);
    this.#lastError = error;
    this.#stats.failedAttempts++;
    const maxAttempts = this.#options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (this.#attemptNumber >= maxAttempts) {
      this.#log.warn({ url: this.#options.url, attempts: this.#attemptNumber, error: error.message }, 'publishing failed, giving up');
      void this.#shutDown('failed', error);
      return;
    }
    const retryInMs = this.#backoff.next();
    this.#log.warn({ url: this.#options.url, code: error.code, error: error.message, retryInMs }, 'publishing interrupted, retrying');
    this.#setState('reconnecting', { error, retryInMs });
    this.#retryTimer = setTimeout(() => void this.#connect(), retryInMs);
  }

  /** Close an attempt's connection; its WHIP resource is deleted in the background (the endpoint may be gone). */
  #endAttempt(attempt: Attempt): Promise<void> {
    attempt.ended = true;
    if (this.#attempt === attempt) this.#attempt = undefined;
    for (const dispose of attempt.disposers) dispose();
    attempt.track.stop();
    const closed = attempt.pc.close().catch(() => undefined);
    const deleted = this.#deleteResource(attempt);
    return Promise.all([closed, deleted]).then(() => undefined);
  }

  #deleteResource(attempt: Attempt): Promise<void> {
    const resourceUrl = attempt.resourceUrl;
    if (resourceUrl === undefined) return Promise.resolve();
    attempt.resourceUrl = undefined;
    return deleteWhipResource(resourceUrl, attempt.token, this.#options.requestTimeoutMs ?? 10_000).catch((error: unknown) => {
      this.#log.warn({ resource: resourceUrl, error: (error as Error).message }, 'could not delete the WHIP session');
    });
  }

  async #shutDown(state: 'stopped' | 'failed', error?: WhipError): Promise<void> {
    if (this.#isFinished()) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const attempt = this.#attempt;
    this.#setState(state, error ? { error } : {});
    this.#encoder.off('rtp', this.#onRtp);
    this.#encoder.off('failure', this.#onEncoderFailure);
    this.#encoder.off('end', this.#onEncoderEnd);
    await Promise.all([attempt ? this.#endAttempt(attempt) : undefined, this.#encoder.stop()]);
  }

  readonly #onEncoderFailure = (cause: RtpEncoderError) => {
    const error = new WhipError('encoder-failed', `publishing stopped: ${cause.message}`, undefined, { cause });
    this.#lastError = error;
    void this.#shutDown('failed', error);
  };

  readonly #onEncoderEnd = () => {
    this.#log.info({ url: this.#options.url }, 'source ended, publishing stops');
    void this.#shutDown('stopped');
  };

  async #resolveToken(): Promise<string | undefined> {
    const token = this.#options.token;
    return typeof token === 'function' ? await token() : token;
  }

  #isFinished(): boolean {
    return this.#state === 'stopped' || this.#state === 'failed';
  }

  #setState(state: WhipClientState, extra: { error?: WhipError; retryInMs?: number } = {}): void {
    if (state === this.#state && extra.error === undefined) return;
    this.#state = state;
    this.emit('state', { state, attempt: this.#attemptNumber, ...extra });
  }
}

interface Subscribable<T extends unknown[]> {
  subscribe(listener: (...args: T) => void): { unSubscribe: () => void };
}

/** Wait until `done()` holds, re-checking on each event; fail on timeout or when `failed()` holds. */
function waitFor<T extends unknown[]>(
  done: () => boolean,
  event: Subscribable<T>,
  timeoutMs: number,
  what: string,
  failed: () => boolean = () => false,
): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what} did not complete within ${timeoutMs} ms`)), timeoutMs);
    const { unSubscribe } = event.subscribe(() => {
      if (done()) finish();
      else if (failed()) finish(new Error(`${what} failed`));
    });
    function finish(error?: Error) {
      clearTimeout(timer);
      unSubscribe();
      if (error) reject(error);
      else resolve();
    }
  });
}
