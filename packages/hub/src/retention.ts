import type { Logger } from 'pino';
import type { Store } from './store/store.js';
import type { BlobStore } from './blobs/blob-store.js';

/** Deletes events (and their snapshot blobs) older than the retention period, hourly and once at start. */
export class Retention {
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: { store: Store; blobs: BlobStore; log: Logger; days: number }) {}

  start(): void {
    const run = () => void this.runOnce().catch((err: unknown) => this.deps.log.warn({ err }, 'retention run failed'));
    run();
    this.timer = setInterval(run, 3_600_000);
    this.timer.unref();
  }

  async runOnce(now = Date.now()): Promise<number> {
    const before = now - this.deps.days * 86_400_000;
    const { events, blobKeys } = await this.deps.store.pruneEvents(before);
    await this.deps.blobs.delete(blobKeys);
    if (events > 0) this.deps.log.info({ events, snapshots: blobKeys.length }, 'retention removed old events');
    return events;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
