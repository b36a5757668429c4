import type { BackoffOptions } from './backoff.js';
import { AutoPlayoutDelay } from './auto-playout-delay.js';
import { cameraLiveUrls } from './hub-urls.js';
import { Listeners, type Unsubscribe } from './listeners.js';
import type { OverlayBufferOptions } from './overlay-buffer.js';
import type { OverlayLayers } from './overlay-drawing.js';
import { OverlayFeed } from './overlay-feed.js';
import { OverlayRenderer, type PresentedFrame } from './overlay-renderer.js';
import { OverlayTimeliness, type OverlayTimelinessSnapshot } from './overlay-timeliness.js';
import type { PlaybackStats } from './playback-stats.js';
import { sceneFromCamera, type Scene } from './scene.js';
import { WhepConnection, type TokenProvider, type WhepStateChange } from './whep-connection.js';
import type { TokenTransport } from './whep-signalling.js';

export interface LivePlayerOptions {
  /** The hub's base URL, e.g. `https://hub.example.org`. */
  hubUrl: string;
  cameraId: string;
  /**
   * A token that may view this camera, called before every connection: the camera's view token (see
   * liveTokenProvider) or a credential with the read scope. It goes into the overlay stream's URL.
   */
  token: TokenProvider;
  /** Where the video plays; the overlay canvas is inserted right after it. */
  video: HTMLVideoElement;
  /** Draw detections over the video (subscribes to the overlay stream). Default true. */
  overlays?: boolean;
  /**
   * Zones and lines: given, or `'camera'` (the default) to read them from `GET /api/v1/cameras/:id` with the token,
   * which needs a credential with the read scope (a view token is refused there: nothing is drawn then, and a
   * `scene` event says why).
   */
  scene?: Scene | 'camera';
  layers?: Partial<OverlayLayers>;
  overlayBuffer?: OverlayBufferOptions;
  reconnect?: BackoffOptions & { maxAttempts?: number };
  iceServers?: RTCIceServer[];
  tokenTransport?: TokenTransport;
  /**
   * How long the browser holds the video after receiving it (ms), so that overlay frames, which usually come later
   * than their pictures, are there when the picture is shown. `'auto'` (the default with overlays) measures how late
   * they come and holds the video just that long (at most `maxAutoPlayoutDelayMs`, default 500); a number fixes it;
   * without overlays the browser's own (lowest) delay is used.
   */
  playoutDelayMs?: number | 'auto';
  maxAutoPlayoutDelayMs?: number;
}

interface LivePlayerEvents {
  [name: string]: unknown;
  state: WhepStateChange;
  frame: PresentedFrame;
  scene: { scene: Scene; error?: string };
}

/**
 * One camera's live view: WHEP video in a <video>, the overlay stream, and the renderer that draws each overlay
 * frame over the picture it was computed from. destroy() releases all of it (the WHEP session, the event stream,
 * the canvas).
 */
export class LivePlayer {
  readonly connection: WhepConnection;
  readonly feed: OverlayFeed | undefined;
  readonly renderer: OverlayRenderer | undefined;
  private readonly listeners = new Listeners<LivePlayerEvents>();
  private readonly timeliness = new OverlayTimeliness();
  /** Set in 'auto' playout delay mode. */
  readonly autoPlayoutDelay: AutoPlayoutDelay | undefined;
  private readonly unsubscribe: Unsubscribe[] = [];
  private destroyed = false;

  constructor(private readonly options: LivePlayerOptions) {
    const urls = cameraLiveUrls(options.hubUrl, options.cameraId);
    this.connection = new WhepConnection({
      url: urls.whep,
      video: options.video,
      token: options.token,
      ...(options.tokenTransport ? { tokenTransport: options.tokenTransport } : {}),
      ...(options.iceServers ? { iceServers: options.iceServers } : {}),
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      ...(typeof options.playoutDelayMs === 'number' ? { playoutDelayMs: options.playoutDelayMs } : {}),
    });
    this.unsubscribe.push(this.connection.on('state', (change) => this.listeners.emit('state', change)));
    if (options.overlays !== false) {
      this.feed = new OverlayFeed({
        url: urls.overlay,
        token: options.token,
        cameraId: options.cameraId,
        ...(options.overlayBuffer ? { buffer: options.overlayBuffer } : {}),
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      });
      const scene = typeof options.scene === 'object' ? options.scene : undefined;
      this.renderer = new OverlayRenderer({
        video: options.video,
        source: this.feed,
        ...(scene ? { scene } : {}),
        ...(options.layers ? { layers: options.layers } : {}),
      });
      this.unsubscribe.push(this.renderer.on('frame', (frame) => this.listeners.emit('frame', frame)));
      const renderer = this.renderer;
      this.unsubscribe.push(this.feed.on('frame', (frame) => this.timeliness.record(frame.rtpTimestamp, renderer.last?.rtpTimestamp)));
      if ((options.playoutDelayMs ?? 'auto') === 'auto') {
        const auto = new AutoPlayoutDelay(this.connection, { maxDelayMs: options.maxAutoPlayoutDelayMs ?? 500 });
        this.autoPlayoutDelay = auto;
        this.unsubscribe.push(
          this.feed.on('frame', (frame) => auto.overlayArrived(frame.rtpTimestamp)),
          this.renderer.on('frame', (frame) => auto.picturePresented(frame.rtpTimestamp, frame.expectedDisplayTime)),
        );
      }
      this.feed.start();
      if (options.scene === undefined || options.scene === 'camera') void this.loadScene(urls.camera);
    }
    this.connection.start();
  }

  on<Name extends keyof LivePlayerEvents>(name: Name, listener: (payload: LivePlayerEvents[Name]) => void): Unsubscribe {
    return this.listeners.on(name, listener);
  }

  /** Whether overlay frames arrive before their pictures are shown (see playoutDelayMs when many are late). */
  get overlayTimeliness(): OverlayTimelinessSnapshot {
    return this.timeliness.snapshot;
  }

  getStats(): Promise<PlaybackStats | undefined> {
    return this.connection.getStats();
  }

  setLayers(layers: Partial<OverlayLayers>): void {
    this.renderer?.setLayers(layers);
  }

  setScene(scene: Scene): void {
    this.renderer?.setScene(scene);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.renderer?.destroy();
    this.feed?.close();
    // The connection's last state (`closed`) still reaches our listeners.
    await this.connection.close();
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.listeners.clear();
  }

  private async loadScene(cameraUrl: string): Promise<void> {
    let result: LivePlayerEvents['scene'];
    try {
      const response = await fetch(cameraUrl, { headers: { authorization: `Bearer ${await this.options.token()}` } });
      if (!response.ok) throw new Error(`GET camera answered ${response.status}`);
      result = { scene: sceneFromCamera(await response.json()) };
    } catch (error) {
      result = { scene: { zones: [], lines: [] }, error: (error as Error)?.message ?? String(error) };
    }
    if (this.destroyed) return;
    this.renderer?.setScene(result.scene);
    this.listeners.emit('scene', result);
  }
}
