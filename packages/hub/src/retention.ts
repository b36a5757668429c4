import type { Logger } from 'pino';
import type { Store } from './store/store.js';
import type { BlobStore } from './blobs/blob-store.js';

/**
 * Deletes events (and their snapshot blobs) older than the retention period, hourly, once at start, and whenever
 * `runSoon` is called (the period changed). The period is read at each run, so a changed setting applies at once.
 */
export class Retention {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: { store: Store; blobs: BlobStore; log: Logger; days: number | (() => number) }) {}

  start(): void {
    this.runSoon();
    this.timer = setInterval(() => this.runSoon(), 3_600_000);
    this.timer.unref();
  }

  /** Runs once more after any run under way; failures are logged. */
  runSoon(): void {
    this.running = this.running
      .then(() => this.runOnce())
      .catch((err: unknown) => this.deps.log.warn({ err }, 'retention run failed'));
  }

  /** Resolves when the runs asked for so far have finished. */
  idle(): Promise<void> {
    return this.running.then(() => undefined);
  }

  get days(): number {
    return typeof this.deps.days === 'function' ? this.deps.days() : this.deps.days;
  }

  async runOnce(now = Date.now()): Promise<number> {
    const days = this.days;
    const before = now - days * 86_400_000;
    const { events, blobKeys } = await this.deps.store.pruneEvents(before);
    await this.deps.blobs.delete(blobKeys);
    if (events > 0) this.deps.log.info({ events, snapshots: blobKeys.length, days }, 'retention removed old events');
    return events;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
