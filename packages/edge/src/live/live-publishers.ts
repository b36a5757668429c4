import type { Logger } from 'pino';
import { FeedRtpSource, PrivacyTranscoder, WhipClient, type CameraFeed, type IceOptions } from '@sightline/media';
import type { CameraConfig, LiveCommand } from '@sightline/protocol';
import { hasPrivacy, type PrivacyTranscoders } from './privacy-transcoders.js';

export interface LivePublishersOptions {
  log: Logger;
  ice: IceOptions;
  /** The camera's config, or undefined when this edge does not run that camera. */
  cameraOf: (cameraId: string) => CameraConfig | undefined;
  /** The camera's shared feed (the one connection the edge has to it). */
  feedOf: (cameraId: string) => CameraFeed | undefined;
  /** The shared privacy transcoders (masks, pixelation), for cameras with privacy settings. */
  transcoders: PrivacyTranscoders;
  bitrateKbps?: number;
  gopSeconds?: number;
  /** How long to wait for a camera's first pictures before deciding how to publish it. Default 15000. */
  feedWaitMs?: number;
}

interface Publishing {
  client: WhipClient;
  whipUrl: string;
  command: Extract<LiveCommand, { action: 'start' }>;
  /** What of the camera config the published picture depends on; a change restarts publishing. */
  pictureKey: string;
  transcoder: PrivacyTranscoder | undefined;
  /** Whether the transcoder is the shared privacy one (released) or this publication's own (stopped). */
  sharedTranscoder: boolean;
}

/** A client that gave up (its source failed) or was stopped: a new `start` must publish afresh. */
const isFinished = (state: WhipClient['state']) => state === 'failed' || state === 'stopped';

const pictureKeyOf = (camera: CameraConfig) => JSON.stringify([camera.source, camera.privacy ?? null]);

/**
 * Publishes a camera's live video to the hub while someone watches: the hub sends `start` with a WHIP URL and a
 * publish token scoped to that camera, and `stop` when the last viewer has gone. The video comes from the camera's
 * shared feed: as it is (no encoding at all) when the camera sends H.264 that WebRTC can carry and nothing must be
 * hidden, otherwise through a PrivacyTranscoder that blacks out masks, pixelates faces or persons, and re-encodes.
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

  isPublishing(cameraId: string): boolean {
    const current = this.publishing.get(cameraId);
    return current !== undefined && current.client.state === 'connected';
  }

  /** The WHIP client's counters for a published camera. */
  statsOf(cameraId: string): ReturnType<WhipClient['stats']> | undefined {
    return this.publishing.get(cameraId)?.client.stats();
  }

  /** The transcoder of a camera published with privacy applied (tests and stats). */
  transcoderOf(cameraId: string): PrivacyTranscoder | undefined {
    return this.publishing.get(cameraId)?.transcoder;
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
    const feed = this.options.feedOf(command.cameraId);
    if (!camera || !feed) {
      log.warn({ cameraId: command.cameraId }, 'live: the hub asked to publish a camera this edge does not run');
      return;
    }
    await this.waitForPictures(feed);
    // WebRTC receivers cannot reorder pictures: a stream with B-frames is re-encoded too (without privacy, privately).
    const sharedTranscoder = hasPrivacy(camera);
    let transcoder: PrivacyTranscoder | undefined;
    if (sharedTranscoder) transcoder = await this.options.transcoders.acquire(camera);
    else if (feed.hasBFrames) {
      transcoder = new PrivacyTranscoder({ feed, bitrateKbps: this.options.bitrateKbps ?? 1500, gopSeconds: this.options.gopSeconds ?? 1, log });
      transcoder.start();
    }
    const transcode = transcoder !== undefined;
    const source = new FeedRtpSource({ source: transcoder ?? feed });
    const iceServers = command.iceServers.length > 0 ? command.iceServers : this.options.ice.iceServers;
    // Asked before every attempt, so a reconnect carries the newest token the hub sent.
    const token = () => this.publishing.get(command.cameraId)?.command.token ?? command.token;
    const client = new WhipClient({ url: command.whipUrl, token, encoder: source, ice: { ...this.options.ice, iceServers }, log });
    this.publishing.set(command.cameraId, { client, whipUrl: command.whipUrl, command, pictureKey: pictureKeyOf(camera), transcoder, sharedTranscoder });
    log.info({ cameraId: command.cameraId, mode: transcode ? 'transcode' : 'passthrough' }, 'live: publishing');
    try {
      await client.start();
    } catch (error) {
      await this.dropTranscoder(transcoder, sharedTranscoder);
      throw error;
    }
  }

  private async dropTranscoder(transcoder: PrivacyTranscoder | undefined, shared: boolean): Promise<void> {
    if (!transcoder) return;
    if (shared) await this.options.transcoders.release(transcoder);
    else await transcoder.stop();
  }

  /** Whether the stream has B-frames is known only once a few pictures have gone by. */
  private async waitForPictures(feed: CameraFeed): Promise<void> {
    const deadline = performance.now() + (this.options.feedWaitMs ?? 15_000);
    while (feed.stats.pictures < 8 && performance.now() < deadline && feed.state !== 'failed' && feed.state !== 'stopped') {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async stop(cameraId: string): Promise<void> {
    const current = this.publishing.get(cameraId);
    if (!current) return;
    this.publishing.delete(cameraId);
    await current.client.stop();
    await this.dropTranscoder(current.transcoder, current.sharedTranscoder);
    this.options.log.info({ cameraId }, 'live: stopped publishing');
  }

  /**
   * After a config change: cameras no longer run stop publishing, and cameras whose picture changed (source, privacy)
   * publish again with the new settings.
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
