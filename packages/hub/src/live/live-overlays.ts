import type { Logger } from 'pino';
import { LiveOverlayFrameSchema, type LiveOverlayFrame } from '@sightline/protocol';

export type OverlayListener = (frame: LiveOverlayFrame) => void;

export interface LiveOverlaysOptions {
  /** The device that owns a camera, or undefined when the camera does not exist. */
  ownerOf: (cameraId: string) => Promise<string | undefined>;
  log: Logger;
  onRejected?: (reason: 'invalid' | 'not_owner') => void;
}

/** Owners are looked up once per camera for this long: overlays arrive many times a second. */
const OWNER_CACHE_MS = 10_000;

/**
 * Relays what the edges' analysis sees on live cameras to the browsers watching them. Frames are validated and must
 * come from the device that owns the camera; nothing is stored or queued (a late overlay is worthless).
 */
export class LiveOverlays {
  private readonly listeners = new Map<string, Set<OverlayListener>>();
  private readonly owners = new Map<string, { owner: string | undefined; at: number }>();

  constructor(private readonly options: LiveOverlaysOptions) {}

  async onDeviceMessage(deviceId: string, json: unknown): Promise<void> {
    const parsed = LiveOverlayFrameSchema.safeParse(json);
    if (!parsed.success) {
      this.options.onRejected?.('invalid');
      this.options.log.debug({ deviceId, issue: parsed.error.issues[0]?.message }, 'live overlay refused: invalid');
      return;
    }
    const frame = parsed.data;
    const listeners = this.listeners.get(frame.cameraId);
    if (!listeners || listeners.size === 0) return;
    if ((await this.ownerOf(frame.cameraId)) !== deviceId) {
      this.options.onRejected?.('not_owner');
      this.options.log.warn({ deviceId, cameraId: frame.cameraId }, 'live overlay refused: the device does not own the camera');
      return;
    }
    for (const listener of listeners) listener(frame);
  }

  subscribe(cameraId: string, listener: OverlayListener): () => void {
    let set = this.listeners.get(cameraId);
    if (!set) {
      set = new Set();
      this.listeners.set(cameraId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(cameraId);
    };
  }

  /** A camera deleted or moved to another device. */
  forget(cameraId: string): void {
    this.owners.delete(cameraId);
  }

  private async ownerOf(cameraId: string): Promise<string | undefined> {
    const cached = this.owners.get(cameraId);
    if (cached && Date.now() - cached.at < OWNER_CACHE_MS) return cached.owner;
    const owner = await this.options.ownerOf(cameraId);
    this.owners.set(cameraId, { owner, at: Date.now() });
    return owner;
  }
}
