import type { CaptureCodec, CaptureEncoderName } from '../capture/x11grab-args.js';
import { EventEmitter } from 'node:events';
import type { PublishLog } from '@sightline/media';
import { ScreenCapture } from '../capture/screen-capture.js';
import { VirtualDisplay } from '../display/virtual-display.js';
import { InputInjector, type InjectResult } from '../input/input-injector.js';
import { resolveRunAs, type RunAsOption } from '../process/run-as.js';
import { AppProcess, type AppLaunch } from './app-process.js';

export type StreamSessionState = 'idle' | 'starting' | 'running' | 'ending' | 'ended';

export type SessionEndReason =
  | 'ended'
  | 'idle-timeout'
  | 'max-duration'
  | 'app-exited'
  | 'display-lost'
  | 'capture-failed'
  | 'start-failed';

export interface StreamSessionOptions {
  app: AppLaunch;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  /** Default h264 (x264); vp8 uses libvpx. */
  codec?: CaptureCodec;
  /** The ffmpeg encoder for the codec (see ScreenCapture's `encoder`); default the CPU one. */
  encoder?: CaptureEncoderName;
  /** Who the app runs as. Default 'auto' (a dedicated uid per session when the host is root). */
  runAs?: RunAsOption;
  /** No input for this long ends the session. Default 10 minutes; 0 disables. */
  idleTimeoutMs?: number;
  /** The session ends this long after it started, whatever happens. Default 4 hours; 0 disables. */
  maxDurationMs?: number;
  drawCursor?: boolean;
  appStopGraceMs?: number;
  log?: PublishLog;
}

export interface SessionPids {
  xvfb: number | undefined;
  /** The app's leader and every other process of the session's app user. */
  app: number[];
  ffmpeg: number[];
}

interface StreamSessionEvents {
  state: [state: StreamSessionState];
  ended: [reason: SessionEndReason];
}

/**
 * One player's session on this host: a private display, the app on it, the screen captured and encoded, and input
 * injected into that display only. Lifecycle starting → running → ended; it ends on end(), when the app exits, when
 * the display or the capture fails, when the player sends no input for idleTimeoutMs, or after maxDurationMs. Ending
 * always stops the app (its whole process tree), the encoder and Xvfb, in that order, and removes their files.
 */
export class StreamSession extends EventEmitter<StreamSessionEvents> {
  readonly #options: StreamSessionOptions;
  #state: StreamSessionState = 'idle';
  #display: VirtualDisplay | undefined;
  #app: AppProcess | undefined;
  #capture: ScreenCapture | undefined;
  #input: InputInjector | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #maxTimer: NodeJS.Timeout | undefined;
  #ending: Promise<void> | undefined;
  #endReason: SessionEndReason | undefined;
  /** Phases of start(), ms. */
  readonly startupMs: { display?: number; app?: number; capture?: number; input?: number; total?: number } = {};

  constructor(options: StreamSessionOptions) {
    super();
    this.#options = options;
  }

  get state(): StreamSessionState {
    return this.#state;
  }

  get endReason(): SessionEndReason | undefined {
    return this.#endReason;
  }

  /** The pictures to publish (a PictureSource for FeedRtpSource). Available once start() has resolved. */
  get capture(): ScreenCapture {
    if (!this.#capture) throw new Error('the session has not started');
    return this.#capture;
  }

  get display(): VirtualDisplay {
    if (!this.#display) throw new Error('the session has not started');
    return this.#display;
  }

  get pids(): SessionPids {
    return { xvfb: this.#display?.pid, app: this.#app?.livePids ?? [], ffmpeg: this.#capture?.pids ?? [] };
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`session already ${this.#state}`);
    this.#setState('starting');
    const startedAt = performance.now();
    const phase = (name: 'display' | 'app' | 'capture' | 'input', since: number) => (this.startupMs[name] = performance.now() - since);
    const o = this.#options;
    try {
      let at = performance.now();
      this.#display = await VirtualDisplay.start({ width: o.width, height: o.height, log: o.log });
      this.#display.once('exit', () => void this.end('display-lost'));
      phase('display', at);
      this.#throwIfEnding();

      at = performance.now();
      this.#input = await InputInjector.connect({ display: this.#display.name, cookie: this.#display.cookie });
      phase('input', at);
      this.#throwIfEnding();

      at = performance.now();
      this.#app = new AppProcess({
        ...o.app,
        display: this.#display,
        runAs: resolveRunAs(o.runAs ?? 'auto', this.#display.number),
        stopGraceMs: o.appStopGraceMs,
        log: o.log,
      });
      this.#app.once('exit', () => void this.end('app-exited'));
      phase('app', at);

      at = performance.now();
      this.#capture = new ScreenCapture({
        display: this.#display,
        fps: o.fps,
        bitrateKbps: o.bitrateKbps,
        codec: o.codec,
        encoder: o.encoder,
        drawCursor: o.drawCursor,
        log: o.log,
      });
      this.#capture.on('state', (state) => {
        if (state === 'failed') void this.end('capture-failed');
      });
      await this.#capture.start();
      phase('capture', at);
      this.#throwIfEnding();
    } catch (error) {
      await this.end(this.#endReason ?? 'start-failed');
      // end() may have run while a part was still starting (the display, the input connection): what came up after
      // it is stopped here, so nothing outlives the session.
      await this.#stopAll();
      throw error;
    }
    this.startupMs.total = performance.now() - startedAt;
    this.#touch();
    if (o.maxDurationMs !== 0) this.#maxTimer = setTimeout(() => void this.end('max-duration'), o.maxDurationMs ?? 4 * 3600_000);
    this.#setState('running');
  }

  /** One input message from the player (validated here); also proves the player is still there. */
  input(message: unknown): InjectResult {
    if (this.#state !== 'running' || !this.#input) return { ok: false, reason: 'closed' };
    const result = this.#input.apply(message);
    if (result.ok) this.#touch();
    return result;
  }

  /** The player left (its connection dropped): let go of held keys and buttons. */
  releaseInput(): void {
    this.#input?.releaseAll();
  }

  /** Wait until all input sent so far has been processed by the display's X server. */
  syncInput(): Promise<number> {
    if (!this.#input) return Promise.reject(new Error('the session has not started'));
    return this.#input.sync();
  }

  /** End the session: app, encoder and display are gone, and their files removed, when this resolves. */
  end(reason: SessionEndReason = 'ended'): Promise<void> {
    this.#ending ??= (async () => {
      this.#endReason = reason;
      this.#setState('ending');
      clearTimeout(this.#idleTimer);
      clearTimeout(this.#maxTimer);
      await this.#stopAll();
      this.#options.log?.info({ reason }, 'session: ended');
      this.#setState('ended');
      this.emit('ended', reason);
    })();
    return this.#ending;
  }

  async #stopAll(): Promise<void> {
    this.#input?.close();
    // The app first, while its display still exists (it can shut down cleanly), then what watches it.
    await Promise.allSettled([this.#app?.stop(), this.#capture?.stop()]);
    await this.#display?.stop();
  }

  #throwIfEnding(): void {
    if (this.#ending) throw new Error(`session ended during start (${this.#endReason})`);
  }

  #touch(): void {
    const idle = this.#options.idleTimeoutMs ?? 10 * 60_000;
    if (idle === 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.end('idle-timeout'), idle);
  }

  #setState(state: StreamSessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
