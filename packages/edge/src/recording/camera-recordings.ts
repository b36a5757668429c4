import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PrivacyTranscoder } from '@sightline/media';
import { RecordingConfigSchema, type CameraConfig, type SightlineEvent } from '@sightline/protocol';
import type { CameraFeeds } from '../cameras/camera-feeds.js';
import { hasPrivacy, type PrivacyTranscoders } from '../live/privacy-transcoders.js';
import { CameraRecording } from './camera-recording.js';
import type { RecordingUploader } from './recording-uploader.js';

export interface CameraRecordingsOptions {
  /** Where each camera's segments are buffered (one directory per camera). */
  dir: string;
  uploader: RecordingUploader;
  feeds: CameraFeeds;
  transcoders: PrivacyTranscoders;
  log: Logger;
}

interface Running {
  key: string;
  recording: CameraRecording;
  transcoder: PrivacyTranscoder | undefined;
}

/** What a camera's recording depends on: a change to any of it starts the recording afresh. */
const keyOf = (camera: CameraConfig) => JSON.stringify([camera.source, camera.privacy ?? null, camera.recording ?? null]);

/**
 * The edge's recordings, one CameraRecording per camera whose config asks for one. Each records the picture as it
 * may leave the edge: the camera's own H.264 from its shared feed, or, for a camera with privacy settings, the shared
 * privacy transcoder's output (which then runs for as long as the camera records). Events mark the windows that
 * event-triggered recordings keep.
 */
export class CameraRecordings {
  private readonly running = new Map<string, Running>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CameraRecordingsOptions) {}

  /** Bring recordings in line with the cameras the edge now runs. */
  sync(cameras: readonly CameraConfig[]): Promise<void> {
    const run = this.chain.then(() => this.syncNow(cameras));
    this.chain = run.catch(() => {});
    return run;
  }

  markEvents(events: readonly SightlineEvent[]): void {
    for (const event of events) this.running.get(event.cameraId)?.recording.markEvent(event.wallTime);
  }

  get cameraIds(): string[] {
    return [...this.running.keys()];
  }

  recordingOf(cameraId: string): CameraRecording | undefined {
    return this.running.get(cameraId)?.recording;
  }

  async stopAll(): Promise<void> {
    await this.sync([]);
  }

  private async syncNow(cameras: readonly CameraConfig[]): Promise<void> {
    const wanted = new Map(cameras.filter((c) => (c.recording?.mode ?? 'off') !== 'off').map((c) => [c.id, c]));
    for (const [id, current] of [...this.running]) {
      const camera = wanted.get(id);
      if (camera && keyOf(camera) === current.key) continue;
      this.running.delete(id);
      await this.stopOne(id, current);
    }
    for (const [id, camera] of wanted) {
      if (this.running.has(id)) continue;
      try {
        await this.startOne(camera);
      } catch (err) {
        this.options.log.warn({ cameraId: id, err: (err as Error).message }, 'recording: cannot start');
      }
    }
  }

  private async startOne(camera: CameraConfig): Promise<void> {
    const feed = this.options.feeds.get(camera.id);
    if (!feed) throw new Error('the camera is not running');
    const transcoder = hasPrivacy(camera) ? await this.options.transcoders.acquire(camera) : undefined;
    const recording = new CameraRecording({
      cameraId: camera.id,
      config: camera.recording ?? RecordingConfigSchema.parse({}),
      tap: (transcoder ?? feed).tap(),
      dir: join(this.options.dir, camera.id),
      uploader: this.options.uploader,
      log: this.options.log,
    });
    recording.start();
    this.running.set(camera.id, { key: keyOf(camera), recording, transcoder });
    this.options.log.info({ cameraId: camera.id, mode: camera.recording?.mode, private: transcoder !== undefined }, 'recording');
  }

  private async stopOne(cameraId: string, current: Running): Promise<void> {
    await current.recording.stop();
    if (current.transcoder) await this.options.transcoders.release(current.transcoder);
    this.options.log.info({ cameraId }, 'recording stopped');
  }
}
