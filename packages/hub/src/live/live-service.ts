import type { Logger } from 'pino';
import { LiveRelay, type IceOptions } from '@sightline/media';
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
}

interface CameraLive {
  relay: LiveRelay;
  deviceId: string;
  stopTimer?: NodeJS.Timeout;
  publishing: boolean;
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
    return live.relay.acceptPublisher(offerSdp);
  }

  async removePublisher(cameraId: string): Promise<void> {
    await this.cameras.get(cameraId)?.relay.removePublisher();
  }

  stats(cameraId: string) {
    const live = this.cameras.get(cameraId);
    return live ? { ...live.relay.stats(), publishing: live.publishing } : undefined;
  }

  async close(): Promise<void> {
    for (const [cameraId, live] of this.cameras) {
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
    const relay = new LiveRelay({ id: cameraId, ice: this.options.ice, log: this.options.log });
    const live: CameraLive = { relay, deviceId: camera.deviceId, publishing: false };
    relay.on('viewers', (count: number) => this.onViewerCount(cameraId, live, count));
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

  private onViewerCount(cameraId: string, live: CameraLive, count: number): void {
    if (count > 0) {
      clearTimeout(live.stopTimer);
      live.stopTimer = undefined;
      return;
    }
    if (live.stopTimer) return;
    live.stopTimer = setTimeout(() => {
      live.stopTimer = undefined;
      if (live.relay.viewerCount > 0) return;
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
