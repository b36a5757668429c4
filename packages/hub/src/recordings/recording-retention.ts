import type { Logger } from 'pino';
import { RecordingConfigSchema } from '@sightline/protocol';
import type { Store } from '../store/store.js';
import type { RecordingService } from './recording-service.js';

export interface RecordingRetentionOptions {
  store: Store;
  recordings: RecordingService;
  log: Logger;
  /** Hub-wide budget for all recordings; past it the oldest segments of any camera go first. Unset: no budget. */
  maxBytes?: number;
  /** How often the age and budget checks run (an upload past the budget also triggers one). Default 5 minutes. */
  intervalMs?: number;
}

const DAY_MS = 86_400_000;
const CHUNK = 500;
/** A camera with recordings but no recording config (switched off since) keeps them this long. */
const DEFAULT_RETAIN_DAYS = RecordingConfigSchema.parse({}).retainDays;

/**
 * Deletes recordings: per camera those older than its `recording.retainDays`, those of cameras that no longer exist,
 * and then, while the total is over the hub's size budget, the oldest segments of any camera. Runs at start, on a
 * timer, and when an upload takes the total over the budget; runs never overlap.
 */
export class RecordingRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(private readonly options: RecordingRetentionOptions) {}

  start(): void {
    this.trigger();
    this.timer = setInterval(() => this.trigger(), this.options.intervalMs ?? 300_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** What the recording service calls after each stored segment. */
  onStored(totalBytes: number): void {
    if (this.options.maxBytes !== undefined && totalBytes > this.options.maxBytes) this.trigger();
  }

  /** Starts a run, or asks the running one to go once more when it ends. */
  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .then(() => undefined)
      .catch((err: unknown) => this.options.log.warn({ err }, 'recording retention run failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }

  /** Waits for the run in progress, if any (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One pass; returns how many segments it deleted for age and for the budget. */
  async runOnce(now = Date.now()): Promise<{ expired: number; overBudget: number; orphaned: number }> {
    const { store, recordings, log } = this.options;
    const cameras = new Map((await store.listCameras()).map((camera) => [camera.id, camera]));
    let expired = 0;
    let orphaned = 0;
    for (const cameraId of await store.recordingCameraIds()) {
      const camera = cameras.get(cameraId);
      if (!camera) {
        orphaned += await this.deleteWhile({ cameraId, limit: CHUNK }, 'camera_removed');
        continue;
      }
      const days = camera.config.recording?.retainDays ?? DEFAULT_RETAIN_DAYS;
      expired += await this.deleteWhile({ cameraId, endedBefore: now - days * DAY_MS, limit: CHUNK }, 'retain_days');
    }

    let overBudget = 0;
    const { maxBytes } = this.options;
    if (maxBytes !== undefined) {
      let total = await recordings.refreshStoredBytes();
      while (total > maxBytes) {
        const oldest = await store.oldestRecordingSegments({ limit: 50 });
        if (oldest.length === 0) break;
        // Only as many as needed: the oldest first, until the total fits.
        const victims = [];
        for (const row of oldest) {
          if (total <= maxBytes) break;
          victims.push(row);
          total -= row.bytes;
        }
        await recordings.deleteSegments(victims, 'size_budget');
        overBudget += victims.length;
      }
    }
    await recordings.refreshStoredBytes();
    if (expired + overBudget + orphaned > 0) log.info({ expired, overBudget, orphaned }, 'recording retention deleted segments');
    return { expired, overBudget, orphaned };
  }

  private async deleteWhile(query: Parameters<Store['oldestRecordingSegments']>[0], reason: 'retain_days' | 'camera_removed'): Promise<number> {
    let deleted = 0;
    for (;;) {
      const rows = await this.options.store.oldestRecordingSegments(query);
      if (rows.length === 0) return deleted;
      await this.options.recordings.deleteSegments(rows, reason);
      deleted += rows.length;
    }
  }
}
