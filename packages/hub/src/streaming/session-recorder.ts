import { mkdirSync, rmSync, existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { HlsSegmenter, type LiveRelay } from '@sightline/media';
import { runFfmpeg } from '../recordings/ffmpeg-job.js';

export type SessionRecordingState = 'recording' | 'ready' | 'failed';

/**
 * Records a session's video to one MP4, on the hub, without transcoding: the relay's packets go into an archiving
 * segmenter (a fragmented MP4 written as the session runs) and, when it ends, become `<dir>.mp4` with the index
 * first, so the file plays and seeks in any browser.
 */
export class SessionRecorder {
  #state: SessionRecordingState = 'recording';
  #segmenter: HlsSegmenter | undefined;
  #detach: (() => void) | undefined;
  #finishing: Promise<void> | undefined;
  readonly #onPublisher = (connected: boolean) => {
    if (connected) this.#attachSafely();
  };

  constructor(
    private readonly relay: LiveRelay,
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    relay.on('publisher', this.#onPublisher);
    if (relay.hasPublisher) this.#attachSafely();
  }

  get state(): SessionRecordingState {
    return this.#state;
  }

  get file(): string {
    return `${this.dir}.mp4`;
  }

  /** Stops recording and writes the MP4 (ready) or gives up (failed: nothing was recorded, or ffmpeg failed). */
  finish(): Promise<void> {
    this.#finishing ??= (async () => {
      this.relay.off('publisher', this.#onPublisher);
      this.#detach?.();
      const segmenter = this.#segmenter;
      if (!segmenter) {
        this.#state = 'failed';
        return;
      }
      await segmenter.stop();
      try {
        if (!existsSync(segmenter.archivePath)) throw new Error('nothing was recorded');
        // One plain MP4 with its index first: plays and seeks in any browser as soon as it downloads.
        await runFfmpeg(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', segmenter.archivePath, '-c', 'copy', '-movflags', '+faststart', this.file], { timeoutMs: 10 * 60_000 });
        this.#state = 'ready';
      } catch (error) {
        this.#state = 'failed';
        this.log.warn({ err: (error as Error).message, dir: this.dir }, 'streaming: session recording failed');
      } finally {
        rmSync(this.dir, { recursive: true, force: true });
      }
    })();
    return this.#finishing;
  }

  /** Deletes the recording (the session is forgotten). */
  async remove(): Promise<void> {
    await this.finish();
    rmSync(this.file, { force: true });
  }

  #attachSafely(): void {
    this.#attach().catch((err: unknown) => this.log.warn({ err, dir: this.dir }, 'streaming: session recording could not start'));
  }

  async #attach(): Promise<void> {
    // One segmenter for the whole session: a host that reconnects continues the same recording.
    if (this.#segmenter || this.#finishing) return;
    mkdirSync(this.dir, { recursive: true });
    const segmenter = new HlsSegmenter({ dir: this.dir, codec: this.relay.codec, archive: true, log: this.log });
    this.#segmenter = segmenter;
    await segmenter.start();
    if (this.#finishing) return;
    // The recording can only start at a keyframe; with intra refresh they come on request only, and a request can
    // be refused for a while (the encoder's rate limit), so it is repeated until one arrives.
    let keyframeSeen = false;
    const retry = setInterval(() => {
      if (keyframeSeen) clearInterval(retry);
      else this.relay.requestKeyframe();
    }, 1000);
    retry.unref();
    const detach = this.relay.addTap((packet) => {
      keyframeSeen ||= packet.keyframeStart;
      if (keyframeSeen) segmenter.push(packet);
    });
    this.#detach = () => {
      clearInterval(retry);
      detach();
    };
  }
}
