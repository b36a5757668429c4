import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RtpEncoder, WhipClient, renderPrivacyMask, type IceOptions } from '@sightline/media';
import type { CameraConfig, LiveCommand } from '@sightline/protocol';

export interface LivePublishersOptions {
  log: Logger;
  ice: IceOptions;
  /** The camera's config, or undefined when this edge does not run that camera. */
  cameraOf: (cameraId: string) => CameraConfig | undefined;
  /** Where privacy mask pictures are written. */
  workDir: string;
  bitrateKbps?: number;
  gopSeconds?: number;
}

interface Publishing {
  client: WhipClient;
  whipUrl: string;
  command: Extract<LiveCommand, { action: 'start' }>;
  /** What of the camera config the published picture depends on; a change restarts publishing. */
  pictureKey: string;
}

/** A client that gave up (its encoder failed) or was stopped: a new `start` must publish afresh. */
const isFinished = (state: WhipClient['state']) => state === 'failed' || state === 'stopped';

const pictureKeyOf = (camera: CameraConfig) => JSON.stringify([camera.source, camera.privacy?.masks ?? []]);

/**
 * Publishes a camera's live video to the hub while someone watches: the hub sends `start` with a WHIP URL and a
 * publish token scoped to that camera, and `stop` when the last viewer has gone.
 */
export class LivePublishers {
  private readonly publishing = new Map<string, Publishing>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LivePublishersOptions) {}

  handle(command: LiveCommand): Promise<void> {
    return this.enqueue(() => (command.action === 'start' ? this.start(command) : this.stop(command.cameraId)));
  }

  /** Commands and refreshes run one at a time, in arrival order. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => {});
    return run;
  }

  get cameraIds(): string[] {
    return [...this.publishing.keys()];
  }

  private async start(command: Extract<LiveCommand, { action: 'start' }>): Promise<void> {
    const { log } = this.options;
    const current = this.publishing.get(command.cameraId);
    if (current && current.whipUrl === command.whipUrl && !isFinished(current.client.state)) {
      // Still publishing (or reconnecting): a restarted hub sends a fresh token, which the next attempt must carry.
      current.command = command;
      return;
    }
    if (current) await this.stop(command.cameraId);
    const camera = this.options.cameraOf(command.cameraId);
    if (!camera) {
      log.warn({ cameraId: command.cameraId }, 'live: the hub asked to publish a camera this edge does not run');
      return;
    }
    const masks = camera.privacy?.masks ?? [];
    let privacyMaskPath: string | undefined;
    if (masks.length > 0) {
      // Applied here, before any video leaves the edge.
      mkdirSync(this.options.workDir, { recursive: true });
      privacyMaskPath = join(this.options.workDir, `${camera.id}-privacy.pgm`);
      writeFileSync(privacyMaskPath, renderPrivacyMask(masks.map((m) => m.polygon)));
    }
    const encoder = new RtpEncoder({
      source: camera.source,
      privacyMaskPath,
      // A keyframe on request restarts the encoder, which opens the source again for a moment: network cameras
      // often allow few connections, so they rely on the 1 s GOP and the relay's keyframe cache instead.
      keyframeMode: /^rtsps?:\/\//.test(camera.source) ? 'gop' : 'restart',
      bitrateKbps: this.options.bitrateKbps ?? 1500,
      gopSeconds: this.options.gopSeconds ?? 1,
      log,
    });
    const iceServers = command.iceServers.length > 0 ? command.iceServers : this.options.ice.iceServers;
    // Asked before every attempt, so a reconnect carries the newest token the hub sent.
    const token = () => this.publishing.get(command.cameraId)?.command.token ?? command.token;
    const client = new WhipClient({ url: command.whipUrl, token, encoder, ice: { ...this.options.ice, iceServers }, log });
    this.publishing.set(command.cameraId, { client, whipUrl: command.whipUrl, command, pictureKey: pictureKeyOf(camera) });
    log.info({ cameraId: command.cameraId }, 'live: publishing');
    await client.start();
  }

  private async stop(cameraId: string): Promise<void> {
    const current = this.publishing.get(cameraId);
    if (!current) return;
    this.publishing.delete(cameraId);
    await current.client.stop();
    this.options.log.info({ cameraId }, 'live: stopped publishing');
  }

  /**
   * After a config change: cameras no longer run stop publishing, and cameras whose picture changed (source, privacy
   * masks) publish again with the new settings.
   */
  async refresh(): Promise<void> {
    for (const [cameraId, current] of [...this.publishing]) {
      const camera = this.options.cameraOf(cameraId);
      if (!camera) await this.handle({ action: 'stop', cameraId });
      else if (pictureKeyOf(camera) !== current.pictureKey) {
        // One step: a hub `stop` arriving meanwhile must not land between them and be undone by the restart.
        await this.enqueue(async () => {
          if (this.publishing.get(cameraId) !== current) return;
          await this.stop(cameraId);
          // A new source that cannot be read is this camera's problem, not the config's: log it, go on.
          await this.start(current.command).catch((err: unknown) =>
            this.options.log.warn({ cameraId, err: (err as Error).message }, 'live: publishing again after a config change failed'),
          );
        });
      }
    }
  }

  async stopAll(): Promise<void> {
    await this.chain;
    await Promise.all(this.cameraIds.map((id) => this.stop(id)));
  }
}
