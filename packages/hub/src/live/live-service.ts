import type { Logger } from 'pino';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HlsSegmenter, LiveRelay, type IceOptions } from '@sightline/media';
import { deviceTopics, type LiveCommand } from '@sightline/protocol';
import type { Store } from '../store/store.js';
import type { MediaTokens } from '../auth/media-token.js';
import { ApiError, notFound } from '../http/api-error.js';

export interface LiveServiceOptions {
  store: Store;
  tokens: MediaTokens;
  log: Logger;
  ice: IceOptions;
  publish: (topic: string, payload: string) => Promise<void>;
  /** How long a camera keeps publishing after its last viewer left, so a quick reload does not restart it. */
  graceMs: number;
  publishTokenTtlMs: number;
  /** Where HLS renditions are written while someone plays them. */
  hlsDir: string;
  /** An HLS rendition with no request for this long stops. Default 30 s. */
  hlsIdleMs?: number;
}

interface HlsRendition {
  segmenter: HlsSegmenter;
  detach: () => void;
  lastAccess: number;
  idleTimer: NodeJS.Timeout;
}

interface CameraLive {
  relay: LiveRelay;
  deviceId: string;
  stopTimer?: NodeJS.Timeout;
  publishing: boolean;
  hls?: HlsRendition;
  hlsStarting?: Promise<HlsRendition>;
}

/**
 * The directory of a camera's HLS rendition, which the segmenter empties with rm -rf. Camera ids may be "." or
 * "..", so the id is never a path segment of its own: "..", joined as is, would name the hub's data directory.
 */
export function hlsDirOf(hlsDir: string, cameraId: string): string {
  return join(hlsDir, `camera-${cameraId}`);
}

/**
 * Live video on demand: the first viewer of a camera makes the hub ask its edge to publish (WHIP) into the camera's
 * relay; when the last viewer leaves, publishing stops after a grace period. A camera nobody watches costs nothing.
 */
export class LiveService {
  private readonly cameras = new Map<string, CameraLive>();

  constructor(private readonly options: LiveServiceOptions) {}

  async addViewer(cameraId: string, offerSdp: string, hubUrl: string): Promise<{ viewerId: string; answerSdp: string }> {
    const live = await this.ensure(cameraId);
    const answer = await live.relay.addViewer(offerSdp);
    await this.startPublishing(cameraId, live, hubUrl);
    return answer;
  }

  async removeViewer(cameraId: string, viewerId: string): Promise<boolean> {
    const live = this.cameras.get(cameraId);
    if (!live) return false;
    await live.relay.removeViewer(viewerId);
    return true;
  }

  async acceptPublisher(cameraId: string, offerSdp: string): Promise<string> {
    const live = await this.ensure(cameraId);
    const answer = await live.relay.acceptPublisher(offerSdp);
    // A publisher nobody asked for (an edge reconnecting after a hub restart) is stopped after the grace period.
    this.updateDemand(cameraId, live);
    return answer;
  }

  async removePublisher(cameraId: string): Promise<void> {
    await this.cameras.get(cameraId)?.relay.removePublisher();
  }

  /**
   * A file of the camera's HLS rendition (index.m3u8, init.mp4, segments), starting it on the first request: the
   * edge is asked to publish and the relay's packets are segmented without transcoding. The playlist request waits
   * until the first segments exist.
   */
  async hlsFile(cameraId: string, file: string, hubUrl: string): Promise<string> {
    const live = await this.ensure(cameraId);
    await this.startPublishing(cameraId, live, hubUrl);
    const rendition = live.hls ?? (await (live.hlsStarting ??= this.startHls(cameraId, live)));
    rendition.lastAccess = Date.now();
    const path = join(rendition.segmenter.playlistPath, '..', file);
    const deadline = Date.now() + (file === 'index.m3u8' ? 15_000 : 0);
    while (!existsSync(path)) {
      if (Date.now() >= deadline) throw new ApiError(file === 'index.m3u8' ? 503 : 404, file === 'index.m3u8' ? 'hls_not_ready' : 'not_found', `HLS ${file} of camera "${cameraId}" is not available (yet)`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return path;
  }

  private async startHls(cameraId: string, live: CameraLive): Promise<HlsRendition> {
    try {
      if (!live.relay.hasPublisher) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            live.relay.off('publisher', onPublisher);
            reject(new ApiError(503, 'camera_not_publishing', `camera "${cameraId}" did not start publishing in time`));
          }, 15_000);
          const onPublisher = (connected: boolean) => {
            if (!connected) return;
            clearTimeout(timer);
            live.relay.off('publisher', onPublisher);
            resolve();
          };
          live.relay.on('publisher', onPublisher);
        });
      }
      const segmenter = new HlsSegmenter({ dir: hlsDirOf(this.options.hlsDir, cameraId), codec: live.relay.codec, log: this.options.log });
      await segmenter.start();
      const detach = live.relay.addTap((packet) => segmenter.push(packet));
      const idleMs = this.options.hlsIdleMs ?? 30_000;
      const rendition: HlsRendition = {
        segmenter,
        detach,
        lastAccess: Date.now(),
        idleTimer: setInterval(() => {
          if (Date.now() - rendition.lastAccess > idleMs) void this.stopHls(cameraId, live);
        }, Math.min(5000, idleMs / 2)),
      };
      rendition.idleTimer.unref();
      live.hls = rendition;
      this.options.log.info({ cameraId }, 'hls: rendition started');
      return rendition;
    } finally {
      live.hlsStarting = undefined;
      this.updateDemand(cameraId, live);
    }
  }

  private async stopHls(cameraId: string, live: CameraLive): Promise<void> {
    const rendition = live.hls;
    if (!rendition) return;
    live.hls = undefined;
    clearInterval(rendition.idleTimer);
    rendition.detach();
    await rendition.segmenter.stop();
    this.options.log.info({ cameraId }, 'hls: rendition stopped (no requests)');
    this.updateDemand(cameraId, live);
  }

  /** Closes the relay and HLS rendition of deleted cameras; their media tokens then lead nowhere. */
  async forget(cameraIds: string[]): Promise<void> {
    for (const cameraId of cameraIds) {
      const live = this.cameras.get(cameraId);
      if (!live) continue;
      this.cameras.delete(cameraId);
      clearTimeout(live.stopTimer);
      await this.stopHls(cameraId, live);
      clearTimeout(live.stopTimer);
      await live.relay.close();
    }
  }

  stats(cameraId: string) {
    const live = this.cameras.get(cameraId);
    return live ? { ...live.relay.stats(), publishing: live.publishing } : undefined;
  }

  async close(): Promise<void> {
    for (const [cameraId, live] of this.cameras) {
      clearTimeout(live.stopTimer);
      await this.stopHls(cameraId, live);
      clearTimeout(live.stopTimer);
      await this.sendCommand(live.deviceId, { action: 'stop', cameraId }).catch(() => undefined);
      await live.relay.close();
    }
    this.cameras.clear();
  }

  private async ensure(cameraId: string): Promise<CameraLive> {
    const existing = this.cameras.get(cameraId);
    if (existing) return existing;
    const camera = await this.options.store.getCamera(cameraId);
    if (!camera) throw notFound('camera', cameraId);
    const device = await this.options.store.getDevice(camera.deviceId);
    if (!device?.online) throw new ApiError(503, 'camera_offline', `camera "${cameraId}" is on device "${camera.deviceId}", which is offline`);
    // A concurrent first request may have created the relay while this one awaited the store: share it.
    const raced = this.cameras.get(cameraId);
    if (raced) return raced;
    const relay = new LiveRelay({ id: cameraId, ice: this.options.ice, log: this.options.log });
    const live: CameraLive = { relay, deviceId: camera.deviceId, publishing: false };
    relay.on('viewers', () => this.updateDemand(cameraId, live));
    this.cameras.set(cameraId, live);
    return live;
  }

  private async startPublishing(cameraId: string, live: CameraLive, hubUrl: string): Promise<void> {
    clearTimeout(live.stopTimer);
    live.stopTimer = undefined;
    if (live.publishing) return;
    live.publishing = true;
    const { token, expiresAt } = this.options.tokens.issue(cameraId, 'publish', this.options.publishTokenTtlMs);
    const whipUrl = `${hubUrl}/api/v1/cameras/${encodeURIComponent(cameraId)}/whip`;
    await this.sendCommand(live.deviceId, { action: 'start', cameraId, whipUrl, token, expiresAt, iceServers: this.options.ice.iceServers ?? [] });
    this.options.log.info({ cameraId, deviceId: live.deviceId }, 'live: asked the edge to publish');
  }

  /** WebRTC viewers plus an HLS rendition in use keep the camera publishing. */
  private updateDemand(cameraId: string, live: CameraLive): void {
    const count = live.relay.viewerCount + (live.hls || live.hlsStarting ? 1 : 0);
    if (count > 0) {
      clearTimeout(live.stopTimer);
      live.stopTimer = undefined;
      return;
    }
    if (live.stopTimer) return;
    live.stopTimer = setTimeout(() => {
      live.stopTimer = undefined;
      if (live.relay.viewerCount > 0 || live.hls || live.hlsStarting) return;
      live.publishing = false;
      this.options.log.info({ cameraId }, 'live: no viewers left; asking the edge to stop');
      void this.sendCommand(live.deviceId, { action: 'stop', cameraId }).catch(() => undefined);
      void live.relay.removePublisher().catch(() => undefined);
    }, this.options.graceMs);
    live.stopTimer.unref();
  }

  private async sendCommand(deviceId: string, command: LiveCommand): Promise<void> {
    await this.options.publish(deviceTopics(deviceId).live, JSON.stringify(command));
  }
}
