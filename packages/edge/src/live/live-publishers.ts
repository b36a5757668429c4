import type { Logger } from 'pino';
import { RtpEncoder, WhipClient, type IceOptions } from '@sightline/media';
import type { LiveCommand } from '@sightline/protocol';

export interface LivePublishersOptions {
  log: Logger;
  ice: IceOptions;
  /** The camera's source as configured, or undefined when this edge does not run that camera. */
  sourceOf: (cameraId: string) => string | undefined;
  bitrateKbps?: number;
  gopSeconds?: number;
}

interface Publishing {
  client: WhipClient;
  whipUrl: string;
}

/**
 * Publishes a camera's live video to the hub while someone watches: the hub sends `start` with a WHIP URL and a
 * publish token scoped to that camera, and `stop` when the last viewer has gone.
 */
export class LivePublishers {
  private readonly publishing = new Map<string, Publishing>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LivePublishersOptions) {}

  handle(command: LiveCommand): Promise<void> {
    const run = this.chain.then(() => (command.action === 'start' ? this.start(command) : this.stop(command.cameraId)));
    this.chain = run.catch(() => {});
    return run;
  }

  get cameraIds(): string[] {
    return [...this.publishing.keys()];
  }

  private async start(command: Extract<LiveCommand, { action: 'start' }>): Promise<void> {
    const { log } = this.options;
    const current = this.publishing.get(command.cameraId);
    if (current && current.whipUrl === command.whipUrl) return;
    if (current) await this.stop(command.cameraId);
    const source = this.options.sourceOf(command.cameraId);
    if (!source) {
      log.warn({ cameraId: command.cameraId }, 'live: the hub asked to publish a camera this edge does not run');
      return;
    }
    const encoder = new RtpEncoder({
      source,
      bitrateKbps: this.options.bitrateKbps ?? 1500,
      gopSeconds: this.options.gopSeconds ?? 1,
      log,
    });
    const iceServers = command.iceServers.length > 0 ? command.iceServers : this.options.ice.iceServers;
    const client = new WhipClient({ url: command.whipUrl, token: command.token, encoder, ice: { ...this.options.ice, iceServers }, log });
    this.publishing.set(command.cameraId, { client, whipUrl: command.whipUrl });
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

  async stopAll(): Promise<void> {
    await this.chain;
    await Promise.all(this.cameraIds.map((id) => this.stop(id)));
  }
}
