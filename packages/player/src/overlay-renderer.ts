import type { LiveOverlayFrame, OverlayObject } from '@sightline/protocol';
import { Listeners, type Unsubscribe } from './listeners.js';
import { OverlayCanvas } from './overlay-canvas.js';
import { ALL_LAYERS, drawObjects, drawScene, type OverlayLayers } from './overlay-drawing.js';
import type { OverlaySource } from './overlay-source.js';
import { EMPTY_SCENE, type Scene } from './scene.js';

export interface OverlayRendererOptions {
  video: HTMLVideoElement;
  /** Answers which overlay frame belongs to a picture (usually an OverlayFeed). */
  source: OverlaySource;
  /** Zones and lines to draw (normalized). */
  scene?: Scene;
  layers?: Partial<OverlayLayers>;
}

/** What was drawn over one presented picture: the debug hook for tests and the console's HUD. */
export interface PresentedFrame {
  /** The picture's RTP timestamp (requestVideoFrameCallback metadata); undefined when the browser gives none. */
  rtpTimestamp: number | undefined;
  /** The RTP timestamp of the overlay frame drawn over it; undefined when none was (none fresh enough). */
  overlayRtpTimestamp: number | undefined;
  /** The objects drawn (empty when no overlay frame matched). */
  objects: readonly OverlayObject[];
  /** When the picture's last packet was received (performance.now() time base), for WebRTC video. */
  receiveTime: number | undefined;
  /** requestVideoFrameCallback's count of presented frames, to notice skipped callbacks. */
  presentedFrames: number;
  /** When the browser expects the picture on screen (performance.now() time base). */
  expectedDisplayTime: number;
}

interface OverlayRendererEvents {
  [name: string]: unknown;
  /** After each presented picture was drawn over, synchronously, so a listener can read the canvas. */
  frame: PresentedFrame;
}

/**
 * Draws overlays on a canvas over a <video>, picture by picture: requestVideoFrameCallback gives the RTP timestamp
 * of the picture being composited, the source answers the overlay frame computed from that picture (or the latest
 * before it), and the canvas is redrawn for the same vsync. Boxes therefore follow the video exactly, whatever the
 * network and jitter-buffer delays are, and vanish when the overlay frames stop coming.
 */
export class OverlayRenderer {
  readonly overlay: OverlayCanvas;
  private readonly listeners = new Listeners<OverlayRendererEvents>();
  private readonly video: HTMLVideoElement;
  private readonly source: OverlaySource;
  private scene: Scene;
  private layerState: OverlayLayers;
  private callbackId: number | undefined;
  private animationId: number | undefined;
  private lastFrame: PresentedFrame | undefined;
  private destroyed = false;

  constructor(options: OverlayRendererOptions) {
    this.video = options.video;
    this.source = options.source;
    this.scene = options.scene ?? EMPTY_SCENE;
    this.layerState = { ...ALL_LAYERS, ...options.layers };
    this.overlay = new OverlayCanvas(this.video);
    this.schedule();
  }

  /** Whether this browser tells which RTP picture is on screen; without it only zones and lines are drawn. */
  get aligned(): boolean {
    return typeof this.video.requestVideoFrameCallback === 'function';
  }

  get layers(): Readonly<OverlayLayers> {
    return this.layerState;
  }

  /** The last presented picture and what was drawn over it. */
  get last(): PresentedFrame | undefined {
    return this.lastFrame;
  }

  on<Name extends keyof OverlayRendererEvents>(name: Name, listener: (payload: OverlayRendererEvents[Name]) => void): Unsubscribe {
    return this.listeners.on(name, listener);
  }

  /** Switches layers on or off; the picture on screen is redrawn at once (the video may be paused). */
  setLayers(layers: Partial<OverlayLayers>): void {
    this.layerState = { ...this.layerState, ...layers };
    this.redraw();
  }

  setScene(scene: Scene): void {
    this.scene = scene;
    this.redraw();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.callbackId !== undefined) this.video.cancelVideoFrameCallback(this.callbackId);
    if (this.animationId !== undefined) cancelAnimationFrame(this.animationId);
    this.overlay.remove();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.destroyed) return;
    if (this.aligned) {
      this.callbackId = this.video.requestVideoFrameCallback((_now, metadata) => this.onPresented(metadata));
    } else {
      // No way to know the picture: keep the scene drawn and in place, never boxes that could be off by seconds.
      this.animationId = requestAnimationFrame(() => {
        this.draw(undefined);
        this.schedule();
      });
    }
  }

  private onPresented(metadata: VideoFrameCallbackMetadata): void {
    this.schedule();
    const rtpTimestamp = metadata.rtpTimestamp;
    const overlay = rtpTimestamp === undefined ? undefined : this.source.frameFor(rtpTimestamp);
    this.draw(overlay);
    this.lastFrame = {
      rtpTimestamp,
      overlayRtpTimestamp: overlay?.rtpTimestamp,
      objects: overlay?.objects ?? [],
      receiveTime: metadata.receiveTime,
      presentedFrames: metadata.presentedFrames,
      expectedDisplayTime: metadata.expectedDisplayTime,
    };
    this.listeners.emit('frame', this.lastFrame);
  }

  private redraw(): void {
    if (this.destroyed) return;
    const rtp = this.lastFrame?.rtpTimestamp;
    this.draw(rtp === undefined ? undefined : this.source.frameFor(rtp));
  }

  private draw(overlay: LiveOverlayFrame | undefined): void {
    const { ctx, picture } = this.overlay.begin();
    if (picture.width === 0 || picture.height === 0) return;
    drawScene(ctx, this.scene, picture, this.layerState);
    if (overlay) drawObjects(ctx, overlay, picture, this.layerState);
  }
}
