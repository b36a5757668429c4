import type { EndReason, StreamInput, StreamSession } from '@sightline/protocol';
import type { BackoffOptions } from './backoff.js';
import { GamepadPoller, type GamepadInfo } from './gamepad-poller.js';
import { streamSessionUrls, type StreamSessionUrls } from './hub-urls.js';
import { InputCapture } from './input-capture.js';
import { InputChannels, type InputChannelsEvents } from './input-channels.js';
import { Listeners, type Unsubscribe } from './listeners.js';
import { SessionFeed, type SessionFeedStateChange } from './session-feed.js';
import { summarizeStreamStats, type StreamStats } from './stream-stats.js';
import { WhepConnection, type TokenProvider, type WhepStateChange } from './whep-connection.js';
import type { TokenTransport } from './whep-signalling.js';

export interface CloudPlayerOptions {
  /** The hub's base URL, e.g. `https://hub.example.org` (`location.origin` for a page the hub serves). */
  hubUrl: string;
  sessionId: string;
  /** Where the picture plays. */
  video: HTMLVideoElement;
  /**
   * The element that takes the keyboard and the mouse (made focusable) and is locked to for pointer lock: the video,
   * or a container around it (with a HUD, say). Default: the video.
   */
  inputElement?: HTMLElement;
  /** What goes fullscreen. Default: the input element. */
  fullscreenElement?: HTMLElement;
  /**
   * The session owner's credential, called before every request (the state stream, WHEP). Not needed with
   * `tokenTransport: 'cookie'` (a page served by the hub, signed in with its session cookie).
   */
  token?: TokenProvider;
  /** How the credential travels; default `header` (`Authorization: Bearer`). */
  tokenTransport?: TokenTransport;
  /**
   * Watch only: a spectate token (POST /sessions/:id/spectate-token). The WHEP offer then has no data channels and
   * no input is captured. The token goes in a header.
   */
  spectateToken?: string;
  iceServers?: RTCIceServer[];
  /** The WHEP reconnection backoff (default 250 ms doubling to 2 s, well inside the hub's grace period). */
  reconnect?: BackoffOptions;
  /** KeyboardEvent.code values the page keeps (neither sent nor prevented), e.g. `['F2']` for a HUD toggle. */
  reservedKeys?: readonly string[];
  /** How often the stats (`stats` event) are read. Default 1000 ms; 0 turns them off. */
  statsIntervalMs?: number;
  /** Take pointer lock on a click when the session's input profile is `pointer-lock`. Default true. */
  autoPointerLock?: boolean;
  /** Read gamepads (Gamepad API) and send their states. Default true. */
  gamepads?: boolean;
}

/**
 * Where the player is, for the page to show:
 * - `loading`: waiting for the session's first state;
 * - `queued` (with `queuePosition`) and `starting`: the hub's states, before there is a picture;
 * - `connecting`: the session runs and its video is being connected; `playing`: connected;
 * - `reconnecting`: the connection was lost while the session runs; it is re-established (a new WHEP offer) within
 *   the hub's grace period (`graceLeftMs`);
 * - `ending` and `ended` (with `endReason` and `message`);
 * - `failed`: the hub refused (401, 403, 404, another 4xx on WHEP): `error` says why; nothing is retried.
 */
export type CloudPlayerPhase = 'loading' | 'queued' | 'starting' | 'connecting' | 'playing' | 'reconnecting' | 'ending' | 'ended' | 'failed';

export interface CloudPlayerStatus {
  phase: CloudPlayerPhase;
  session: StreamSession | undefined;
  spectator: boolean;
  queuePosition?: number;
  endReason?: EndReason | null;
  message?: string | null;
  error?: { code: string; message: string; status?: number };
  /** reconnecting: when the next attempt starts. */
  retryInMs?: number;
  /** reconnecting: how much of the hub's grace period is left since the connection was lost. */
  graceLeftMs?: number;
}

interface CloudPlayerEvents {
  [name: string]: unknown;
  status: CloudPlayerStatus;
  /** Every state the hub sent. */
  session: StreamSession;
  /** The WHEP connection's own states. */
  connection: WhepStateChange;
  stats: StreamStats;
  gamepads: GamepadInfo[];
  pointerLock: boolean;
  fullscreen: boolean;
  channel: InputChannelsEvents['state'];
  /** A message the hub sent on an input channel. */
  channelMessage: InputChannelsEvents['message'];
  /** Every input message, and whether it could be sent (its channel open). */
  input: { input: StreamInput; sent: boolean };
}

/**
 * Plays one cloud-streaming session in a <video>: follows its state on the hub (queued, starting, running, ended),
 * connects WHEP once it runs, with the two input data channels in the offer (unless spectating), and sends the
 * player's keyboard, mouse and gamepads to the app. A lost connection is replaced while the session runs; the hub
 * keeps it for the player for its grace period. destroy() lets go of everything but does not end the session;
 * endSession() does.
 */
export class CloudPlayer {
  readonly urls: StreamSessionUrls;
  readonly feed: SessionFeed;
  readonly channels: InputChannels;
  private readonly listeners = new Listeners<CloudPlayerEvents>();
  private readonly inputElement: HTMLElement;
  private readonly capture: InputCapture | undefined;
  private readonly gamepadPoller: GamepadPoller | undefined;
  private connectionValue: WhepConnection | undefined;
  private statusValue: CloudPlayerStatus;
  private sessionValue: StreamSession | undefined;
  private statsValue: StreamStats | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private statsPc: RTCPeerConnection | undefined;
  private everConnected = false;
  private lostAt: number | undefined;
  /** A spectator whose token may not read the state stream watches without it (see spectateWithoutState). */
  private followingState = true;
  private destroyed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly options: CloudPlayerOptions) {
    this.urls = streamSessionUrls(options.hubUrl, options.sessionId);
    this.inputElement = options.inputElement ?? options.video;
    this.statusValue = { phase: 'loading', session: undefined, spectator: this.spectator };
    this.channels = new InputChannels((name, payload) => {
      if (name === 'state') this.channelState(payload as InputChannelsEvents['state']);
      else this.listeners.emit('channelMessage', payload as InputChannelsEvents['message']);
    });
    if (!this.spectator) {
      this.capture = new InputCapture({
        element: this.inputElement,
        video: options.video,
        send: (input) => this.send(input),
        ...(options.reservedKeys ? { reservedKeys: options.reservedKeys } : {}),
        lockOnClick: () => (options.autoPointerLock ?? true) && this.sessionValue?.inputProfile === 'pointer-lock',
        onPointerLock: (locked) => this.listeners.emit('pointerLock', locked),
      });
      if (options.gamepads ?? true) {
        this.gamepadPoller = new GamepadPoller({ send: (state) => this.send(state), onChange: (pads) => this.listeners.emit('gamepads', pads) });
      }
    }
    const doc = this.inputElement.ownerDocument;
    const onFullscreen = () => this.listeners.emit('fullscreen', this.fullscreen);
    doc.addEventListener('fullscreenchange', onFullscreen);
    this.cleanups.push(() => doc.removeEventListener('fullscreenchange', onFullscreen));

    this.feed = new SessionFeed(
      { url: this.urls.state, token: this.token, tokenTransport: this.transport, ...(options.reconnect ? { reconnect: options.reconnect } : {}) },
      options.sessionId,
    );
    this.cleanups.push(
      this.feed.on('session', (session) => this.onSession(session)),
      this.feed.on('state', (change) => this.onFeedState(change)),
    );
    this.gamepadPoller?.start();
    this.feed.start();
  }

  get spectator(): boolean {
    return this.options.spectateToken !== undefined;
  }

  get status(): CloudPlayerStatus {
    return this.statusValue;
  }

  get session(): StreamSession | undefined {
    return this.sessionValue;
  }

  /** The latest stats (see `stats` events). */
  get stats(): StreamStats | undefined {
    return this.statsValue;
  }

  get connection(): WhepConnection | undefined {
    return this.connectionValue;
  }

  get gamepads(): GamepadInfo[] {
    return this.gamepadPoller?.connected ?? [];
  }

  get pointerLocked(): boolean {
    return this.capture?.pointerLocked ?? false;
  }

  get fullscreen(): boolean {
    const target = this.options.fullscreenElement ?? this.inputElement;
    return target.ownerDocument.fullscreenElement === target;
  }

  /** The input capture (keys held, pointer lock), absent when spectating. */
  get input(): InputCapture | undefined {
    return this.capture;
  }

  on<Name extends keyof CloudPlayerEvents>(name: Name, listener: (payload: CloudPlayerEvents[Name]) => void): Unsubscribe {
    return this.listeners.on(name, listener);
  }

  /** Gives the keyboard to the game (the input element takes focus). */
  focus(): void {
    this.inputElement.focus({ preventScroll: true });
  }

  /** Enters or leaves fullscreen (from a click or key handler: browsers need a user gesture). */
  async toggleFullscreen(): Promise<void> {
    const target = this.options.fullscreenElement ?? this.inputElement;
    const doc = target.ownerDocument;
    if (doc.fullscreenElement) await doc.exitFullscreen().catch(() => undefined);
    else await target.requestFullscreen().catch(() => undefined);
  }

  /** Locks or frees the pointer (from a user gesture); moves are relative while locked. */
  async togglePointerLock(): Promise<void> {
    if (!this.capture) return;
    if (this.capture.pointerLocked) this.capture.exitPointerLock();
    else await this.capture.requestPointerLock();
  }

  /** Tries again after a `failed` WHEP connection while the session runs (a new connection). */
  retry(): void {
    if (this.sessionValue?.state !== 'running' || this.statusValue.phase !== 'failed') return;
    this.dropConnection();
    this.connect();
  }

  /** Ends the session on the hub (DELETE), then lets go of everything. */
  async endSession(): Promise<void> {
    const headers: Record<string, string> = {};
    const url = new URL(this.urls.session, globalThis.location?.href);
    if (!this.spectator) {
      const token = await this.token();
      if (this.transport === 'header') headers.authorization = `Bearer ${token}`;
      else if (this.transport === 'query') url.searchParams.set('access_token', token);
    }
    const response = await fetch(url, { method: 'DELETE', headers });
    if (!response.ok && response.status !== 404) throw new Error(`ending the session answered ${response.status}`);
    const session = this.sessionValue;
    if (session && session.state !== 'ended') this.onSession({ ...session, state: 'ended', endReason: 'ended', endedAt: Date.now() });
    await this.destroy();
  }

  /** Stops following the session and closes the connection (the session itself goes on: see endSession). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.feed.close();
    this.capture?.stop();
    this.gamepadPoller?.stop();
    this.stopStats();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    const connection = this.connectionValue;
    this.connectionValue = undefined;
    this.channels.detach();
    await connection?.close();
    this.listeners.clear();
  }

  private get transport(): TokenTransport {
    return this.spectator ? 'header' : (this.options.tokenTransport ?? 'header');
  }

  private readonly token: TokenProvider = () => {
    if (this.options.spectateToken !== undefined) return this.options.spectateToken;
    if (this.options.token) return this.options.token();
    return '';
  };

  private send(input: StreamInput): void {
    const sent = this.channels.send(input);
    this.listeners.emit('input', { input, sent });
  }

  private setStatus(status: Omit<CloudPlayerStatus, 'session' | 'spectator'>): void {
    this.statusValue = { ...status, session: this.sessionValue, spectator: this.spectator };
    this.listeners.emit('status', this.statusValue);
  }

  private onSession(session: StreamSession): void {
    if (this.destroyed) return;
    this.sessionValue = session;
    this.listeners.emit('session', session);
    switch (session.state) {
      case 'queued':
        this.setStatus({ phase: 'queued', ...(session.queuePosition !== null ? { queuePosition: session.queuePosition } : {}) });
        break;
      case 'starting':
        this.setStatus({ phase: 'starting' });
        break;
      case 'running':
        if (!this.connectionValue) this.connect();
        else this.statusFromConnection();
        break;
      case 'ending':
      case 'ended':
        this.finish(session);
        break;
    }
  }

  private onFeedState(change: SessionFeedStateChange): void {
    if (change.state !== 'failed' || this.destroyed) return;
    if (this.spectator && (change.status === 401 || change.status === 403)) {
      // The spectate token may not be allowed to read the state stream: watch without it.
      this.followingState = false;
      this.connect();
      return;
    }
    const code = change.status === 401 ? 'unauthorized' : change.status === 403 ? 'forbidden' : 'not-found';
    this.setStatus({ phase: 'failed', error: { code, message: change.error ?? 'the hub refused the session', ...(change.status ? { status: change.status } : {}) } });
  }

  private finish(session: StreamSession): void {
    this.stopStats();
    this.capture?.stop();
    this.gamepadPoller?.release();
    this.channels.detach();
    const connection = this.connectionValue;
    this.connectionValue = undefined;
    void connection?.close();
    this.setStatus({ phase: session.state === 'ending' ? 'ending' : 'ended', endReason: session.endReason, message: session.message });
    if (session.state === 'ended') this.gamepadPoller?.stop();
  }

  private connect(): void {
    const session = this.sessionValue;
    const hub = new URL(this.options.hubUrl, globalThis.location?.href);
    let url = session?.whepUrl ? new URL(session.whepUrl, hub) : new URL(this.urls.whep, hub);
    // The session cookie goes only to the page's own origin: keep the hub's path, on the origin the page talks to
    // (the hub writes absolute URLs with its public address, which a development proxy does not share).
    if (this.transport === 'cookie' && url.origin !== hub.origin) url = new URL(url.pathname + url.search, hub);
    const connection = new WhepConnection({
      url: url.href,
      video: this.options.video,
      token: this.token,
      tokenTransport: this.transport,
      ...(this.options.iceServers ? { iceServers: this.options.iceServers } : {}),
      reconnect: { initialDelayMs: 250, maxDelayMs: 2000, ...this.options.reconnect },
      ...(this.spectator ? {} : { beforeOffer: (pc: RTCPeerConnection) => this.channels.attach(pc) }),
    });
    this.connectionValue = connection;
    this.everConnected = false;
    connection.on('state', (change) => {
      if (this.connectionValue !== connection) return;
      this.listeners.emit('connection', change);
      if (change.state === 'connected') {
        this.everConnected = true;
        this.lostAt = undefined;
        this.capture?.start();
        this.startStats();
      } else if (change.state === 'reconnecting') {
        this.lostAt ??= Date.now();
        // The host let go of everything held when the connection dropped (the hub tells it to).
        this.capture?.forgetHeld();
      }
      this.statusFromConnection(change);
    });
    connection.start();
  }

  private dropConnection(): void {
    const connection = this.connectionValue;
    this.connectionValue = undefined;
    this.channels.detach();
    void connection?.close();
  }

  private statusFromConnection(change?: WhepStateChange): void {
    const connection = this.connectionValue;
    if (!connection) return;
    const state = change?.state ?? connection.state;
    if (state === 'connected') this.setStatus({ phase: 'playing' });
    else if (state === 'idle' || state === 'connecting') this.setStatus({ phase: this.everConnected || this.lostAt !== undefined ? 'reconnecting' : 'connecting', ...this.grace() });
    else if (state === 'reconnecting') this.setStatus({ phase: 'reconnecting', ...this.grace(), ...(change?.retryInMs !== undefined ? { retryInMs: change.retryInMs } : {}), ...(change?.error ? { error: { code: change.error.code, message: change.error.message } } : {}) });
    else if (state === 'failed') {
      const error = change?.error;
      if (!this.followingState && (error?.code === 'not-found' || error?.code === 'rejected')) {
        // A spectator without the state stream learns of the end this way.
        this.setStatus({ phase: 'ended', endReason: null, message: 'The session is not running.' });
        return;
      }
      this.setStatus({ phase: 'failed', error: { code: error?.code ?? 'connection-failed', message: error?.message ?? 'the connection failed', ...(error?.status ? { status: error.status } : {}) } });
    }
  }

  private grace(): { graceLeftMs?: number } {
    const graceMs = this.sessionValue?.reconnectGraceMs;
    if (this.lostAt === undefined || graceMs === undefined) return {};
    return { graceLeftMs: Math.max(0, graceMs - (Date.now() - this.lostAt)) };
  }

  private channelState(change: InputChannelsEvents['state']): void {
    this.listeners.emit('channel', change);
    if (change.state !== 'closed') return;
    // The hub closed the channels (it dropped this viewer: werift aborts the SCTP association at once, while ICE
    // would take seconds to notice): nothing held can be released any more, and without channels there is no
    // playing, so the connection is replaced now.
    this.capture?.forgetHeld();
    this.connectionValue?.restart(`the ${change.channel} channel closed`);
  }

  private startStats(): void {
    const interval = this.options.statsIntervalMs ?? 1000;
    if (interval <= 0 || this.statsTimer !== undefined) return;
    this.statsTimer = setInterval(() => void this.readStats(), interval);
  }

  private stopStats(): void {
    clearInterval(this.statsTimer);
    this.statsTimer = undefined;
  }

  private async readStats(): Promise<void> {
    const pc = this.connectionValue?.peerConnection;
    if (!pc || pc.connectionState !== 'connected') return;
    if (pc !== this.statsPc) {
      // A new connection: its counters start again from zero.
      this.statsPc = pc;
      this.statsValue = undefined;
    }
    const summary = summarizeStreamStats((await pc.getStats()).values(), this.statsValue);
    if (!summary || this.destroyed || pc !== this.statsPc) return;
    this.statsValue = summary;
    this.listeners.emit('stats', summary);
  }
}

