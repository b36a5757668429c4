import { Backoff, type BackoffOptions } from './backoff.js';
import { iceGatheringDone } from './ice-gathering.js';
import { Listeners, type Unsubscribe } from './listeners.js';
import { summarizePlaybackStats, type PlaybackStats } from './playback-stats.js';
import { WhepError } from './whep-error.js';
import { deleteWhepSession, postWhepOffer, type TokenTransport } from './whep-signalling.js';

export type TokenProvider = () => string | Promise<string>;

export interface WhepConnectionOptions {
  /** The WHEP endpoint, e.g. `${hub}/api/v1/cameras/${id}/whep` (without the token). */
  url: string;
  /** The <video> that plays the stream. It is muted, so that browsers let it play without a click. */
  video: HTMLVideoElement;
  /** Called before every attempt, so that a short-lived token can be renewed. */
  token: TokenProvider;
  tokenTransport?: TokenTransport;
  /** ICE servers (STUN/TURN) for the browser's side; the hub gives its own in its answer. */
  iceServers?: RTCIceServer[];
  reconnect?: BackoffOptions & {
    /** Consecutive failed attempts before giving up (state `failed`). Default: never give up. */
    maxAttempts?: number;
  };
  /** How long to wait for ICE candidates before sending the offer anyway. Default 2000 ms. */
  iceGatheringTimeoutMs?: number;
  /** How long a POST may take. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** How long ICE and DTLS may take after the answer. Default 15 000 ms. */
  connectTimeoutMs?: number;
  /** How long a connection may stay `disconnected` before it is replaced (the hub has no ICE restart). Default 3000 ms. */
  disconnectedGraceMs?: number;
  /**
   * Extra time the browser holds video before showing it (RTCRtpReceiver.jitterBufferTarget, in ms), so that
   * overlays computed at the edge arrive before their picture. Unset: the browser's own choice.
   */
  playoutDelayMs?: number;
  /**
   * Called with every attempt's new peer connection before its offer is made, e.g. to create data channels that
   * must be in the offer. Called again for each reconnection (the channels of a failed connection are gone).
   */
  beforeOffer?: (pc: RTCPeerConnection) => void;
}

/**
 * `connecting`: an attempt is under way (POST, ICE, DTLS); `reconnecting`: the last attempt or connection failed and
 * the next one starts after `retryInMs`; `failed`: given up (a final error, or `maxAttempts`); `closed`: close() was
 * called.
 */
export type WhepState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface WhepStateChange {
  state: WhepState;
  /** Why the last attempt failed (reconnecting, failed). */
  error?: WhepError;
  /** When the next attempt starts (reconnecting). */
  retryInMs?: number;
  /** Consecutive failed attempts so far. */
  attempt: number;
}

interface WhepConnectionEvents {
  [name: string]: unknown;
  state: WhepStateChange;
  /** The remote video track arrived (and was attached to the video). */
  track: MediaStreamTrack;
}

/** One attempt: a peer connection and, once the hub answered, its WHEP session. */
interface Attempt {
  pc: RTCPeerConnection;
  resourceUrl?: string;
  token?: string;
  disconnectedTimer?: ReturnType<typeof setTimeout>;
}

/**
 * Plays one WHEP stream in a <video>: a receive-only peer connection, one POST with the complete offer, the answer
 * applied; on a network, 5xx or ICE failure a fresh connection (and a fresh token) after a backoff; 401, 403, 404
 * and other 4xx end it with a WhepError, since retrying cannot help. close() DELETEs the session.
 */
export class WhepConnection {
  private readonly listeners = new Listeners<WhepConnectionEvents>();
  private readonly backoff: Backoff;
  private current: Attempt | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStats: PlaybackStats | undefined;
  private stateValue: WhepState = 'idle';
  private playoutDelayMs: number | undefined;
  /** Bumped by every attempt and by close(), so that a stale attempt's callbacks do nothing. */
  private generation = 0;

  constructor(private readonly options: WhepConnectionOptions) {
    this.backoff = new Backoff(options.reconnect);
    this.playoutDelayMs = options.playoutDelayMs;
  }

  get state(): WhepState {
    return this.stateValue;
  }

  on<Name extends keyof WhepConnectionEvents>(name: Name, listener: (payload: WhepConnectionEvents[Name]) => void): Unsubscribe {
    return this.listeners.on(name, listener);
  }

  /** Starts connecting; progress and failures come as `state` events. */
  start(): void {
    if (this.stateValue !== 'idle') return;
    void this.attempt();
  }

  /** Resolves at the next `connected`, rejects at `failed` or `closed` or after `timeoutMs`. */
  whenConnected(timeoutMs = 30_000): Promise<void> {
    if (this.stateValue === 'connected') return Promise.resolve();
    if (this.stateValue === 'failed' || this.stateValue === 'closed') return Promise.reject(new Error(`connection ${this.stateValue}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`not connected after ${timeoutMs} ms`)), timeoutMs);
      const stop = this.on('state', ({ state, error }) => {
        if (state === 'connected') finish();
        else if (state === 'failed' || state === 'closed') finish(error ?? new Error(`connection ${state}`));
      });
      const finish = (error?: Error) => {
        clearTimeout(timer);
        stop();
        if (error) reject(error);
        else resolve();
      };
    });
  }

  /** A summary of the received video, or undefined before a connection has received any. */
  async getStats(): Promise<PlaybackStats | undefined> {
    const pc = this.current?.pc;
    if (!pc) return undefined;
    const summary = summarizePlaybackStats((await pc.getStats()).values(), this.lastStats);
    if (summary) this.lastStats = summary;
    return summary;
  }

  /** The current attempt's peer connection, if any (for callers that read its own stats or data channels). */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.current?.pc;
  }

  /** The receiver of the current connection (for callers that need more than getStats). */
  get receiver(): RTCRtpReceiver | undefined {
    return this.current?.pc.getReceivers()[0];
  }

  /** Changes the extra playout delay (see `playoutDelayMs`) now and for later connections; undefined: the browser's. */
  setPlayoutDelay(ms: number | undefined): void {
    this.playoutDelayMs = ms === undefined ? undefined : Math.max(0, Math.min(4000, ms));
    const receiver = this.receiver;
    if (receiver) this.applyPlayoutDelay(receiver);
  }

  /** The extra playout delay asked for (ms), if any. */
  get playoutDelay(): number | undefined {
    return this.playoutDelayMs;
  }

  private applyPlayoutDelay(receiver: RTCRtpReceiver): void {
    // Not in every browser (Chrome 114+ has it); without it the video simply plays as soon as it can.
    if ('jitterBufferTarget' in receiver) receiver.jitterBufferTarget = this.playoutDelayMs ?? null;
  }

  /**
   * Gives up the current connection and makes a new one after the backoff, as if it had failed: for a caller that
   * knows better than ICE that it is dead (its data channels closed). Does nothing unless connected.
   */
  restart(reason = 'restarted by the caller'): void {
    if (this.stateValue !== 'connected') return;
    this.fail(this.generation, new WhepError('connection-failed', reason));
  }

  /** Ends the session (DELETE), closes the connection and detaches the video. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.generation++;
    clearTimeout(this.retryTimer);
    const attempt = this.current;
    this.current = undefined;
    this.setState({ state: 'closed', attempt: this.backoff.attempts });
    this.options.video.srcObject = null;
    if (attempt) await this.release(attempt);
    this.listeners.clear();
  }

  private setState(change: WhepStateChange): void {
    this.stateValue = change.state;
    this.listeners.emit('state', change);
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ state: 'connecting', attempt: this.backoff.attempts });
    if (typeof RTCPeerConnection === 'undefined') {
      this.fail(generation, new WhepError('unsupported', 'this browser has no WebRTC (RTCPeerConnection)'));
      return;
    }
    const attempt: Attempt = { pc: new RTCPeerConnection({ iceServers: this.options.iceServers ?? [], bundlePolicy: 'max-bundle' }) };
    this.current = attempt;
    this.lastStats = undefined;
    try {
      await this.negotiate(attempt, () => generation !== this.generation);
      if (generation !== this.generation) return;
      await this.connected(attempt, this.options.connectTimeoutMs ?? 15_000);
      if (generation !== this.generation) return;
      this.backoff.reset();
      this.watch(attempt, generation);
      this.setState({ state: 'connected', attempt: 0 });
    } catch (error) {
      this.fail(generation, error instanceof WhepError ? error : new WhepError('connection-failed', String(error), undefined, { cause: error }));
    }
  }

  private async negotiate(attempt: Attempt, superseded: () => boolean): Promise<void> {
    const { pc } = attempt;
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    this.applyPlayoutDelay(transceiver.receiver);
    this.options.beforeOffer?.(pc);
    pc.addEventListener('track', (event) => {
      if (superseded()) return;
      this.attach(event.track);
    });
    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringDone(pc, this.options.iceGatheringTimeoutMs ?? 2000);
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      throw new WhepError('token-failed', `the token provider failed: ${(error as Error)?.message ?? String(error)}`, undefined, { cause: error });
    }
    if (superseded()) return;
    attempt.token = token;
    const answer = await postWhepOffer(this.options.url, pc.localDescription?.sdp ?? '', {
      token,
      tokenTransport: this.options.tokenTransport ?? 'header',
      timeoutMs: this.options.requestTimeoutMs ?? 10_000,
    });
    attempt.resourceUrl = answer.resourceUrl;
    if (superseded()) {
      // Closed (or given up) during the POST: the session the hub just created must not wait for its timeout.
      await this.release(attempt);
      return;
    }
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.answerSdp });
    } catch (error) {
      throw new WhepError('bad-answer', `the WHEP answer was refused: ${(error as Error).message}`, undefined, { cause: error });
    }
  }

  private attach(track: MediaStreamTrack): void {
    const { video } = this.options;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    // Autoplay of a muted video is allowed; a refusal (a page policy) leaves it to the page's own play button.
    video.play().catch(() => undefined);
    this.listeners.emit('track', track);
  }

  private connected(attempt: Attempt, timeoutMs: number): Promise<void> {
    const { pc } = attempt;
    if (pc.connectionState === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new WhepError('connection-failed', `ICE/DTLS did not connect within ${timeoutMs} ms`)), timeoutMs);
      const onChange = () => {
        if (pc.connectionState === 'connected') finish();
        else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
          finish(new WhepError('connection-failed', `the connection ${pc.connectionState} before it connected`));
        }
      };
      const finish = (error?: WhepError) => {
        clearTimeout(timer);
        pc.removeEventListener('connectionstatechange', onChange);
        if (error) reject(error);
        else resolve();
      };
      pc.addEventListener('connectionstatechange', onChange);
    });
  }

  /** After connecting: a failed connection, or one disconnected for longer than the grace period, is replaced. */
  private watch(attempt: Attempt, generation: number): void {
    const { pc } = attempt;
    pc.addEventListener('connectionstatechange', () => {
      if (generation !== this.generation) return;
      clearTimeout(attempt.disconnectedTimer);
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        this.fail(generation, new WhepError('connection-failed', `the connection ${pc.connectionState}`));
      } else if (pc.connectionState === 'disconnected') {
        // ICE often recovers by itself from a short outage; a new session is the last resort.
        const graceMs = this.options.disconnectedGraceMs ?? 3000;
        attempt.disconnectedTimer = setTimeout(
          () => this.fail(generation, new WhepError('connection-failed', `disconnected for ${graceMs} ms`)),
          graceMs,
        );
      }
    });
  }

  private fail(generation: number, error: WhepError): void {
    if (generation !== this.generation) return;
    this.generation++;
    const attempt = this.current;
    this.current = undefined;
    if (attempt) void this.release(attempt);
    const maxAttempts = this.options.reconnect?.maxAttempts ?? Infinity;
    if (!error.retryable || this.backoff.attempts + 1 >= maxAttempts) {
      this.setState({ state: 'failed', error, attempt: this.backoff.attempts + 1 });
      return;
    }
    const retryInMs = this.backoff.next();
    this.setState({ state: 'reconnecting', error, retryInMs, attempt: this.backoff.attempts });
    this.retryTimer = setTimeout(() => void this.attempt(), retryInMs);
  }

  private async release(attempt: Attempt): Promise<void> {
    clearTimeout(attempt.disconnectedTimer);
    attempt.pc.close();
    if (!attempt.resourceUrl || attempt.token === undefined) return;
    // The hub checks the token on DELETE too, and a short-lived one may have expired since the POST.
    const token = await Promise.resolve()
      .then(() => this.options.token())
      .catch(() => attempt.token ?? '');
    await deleteWhepSession(attempt.resourceUrl, {
      token,
      tokenTransport: this.options.tokenTransport ?? 'header',
      timeoutMs: this.options.requestTimeoutMs ?? 10_000,
    });
  }
}
