import type { OverflowPolicy } from './frame-source-options.js';

type Waiter<T> = { resolve: (item: T | null) => void; reject: (error: Error) => void };

/**
 * The hand-off between a producer (ffmpeg output) and one consumer pulling with `take()`.
 * With 'drop-oldest' it never holds more than `capacity` items and throws the oldest away; with
 * 'pause' it accepts everything and tells the producer to hold off while it is full (`isFull`),
 * so nothing is lost. After `close()` or `fail()` the consumer still gets what is queued, then the
 * end (null) or the error, once.
 */
export class FrameQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private ending: { error: Error | null } | null = null;

  constructor(
    private readonly capacity: number,
    private readonly policy: OverflowPolicy,
    /** Called when a take makes room again after the queue was full. */
    private readonly onSpace: () => void,
  ) {}

  get length(): number {
    return this.items.length;
  }

  get isFull(): boolean {
    return this.items.length >= this.capacity;
  }

  /** Add an item; returns how many old items were dropped to make room. */
  push(item: T): number {
    if (this.ending !== null) return 0;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(item);
      return 0;
    }
    let dropped = 0;
    if (this.policy === 'drop-oldest') {
      while (this.items.length >= this.capacity) {
        this.items.shift();
        dropped++;
      }
    }
    this.items.push(item);
    return dropped;
  }

  take(): Promise<T | null> {
    const wasFull = this.isFull;
    const item = this.items.shift();
    if (item !== undefined) {
      if (wasFull && !this.isFull) this.onSpace();
      return Promise.resolve(item);
    }
    if (this.ending !== null) {
      const { error } = this.ending;
      // Report an error once; later takes see a plain end.
      this.ending = { error: null };
      return error === null ? Promise.resolve(null) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** No more items will come; queued items are still delivered. */
  close(): void {
    this.end(null);
  }

  /** Deliver queued items, then reject the next take with `error`. */
  fail(error: Error): void {
    this.end(error);
  }

  /** Throw away queued items and end now (the consumer asked to stop). */
  clear(): void {
    this.items.length = 0;
    this.end(null);
  }

  private end(error: Error | null): void {
    if (this.ending !== null) return;
    // Waiters only exist while the queue is empty, so they get the end now; an error is reported once.
    const waiters = this.waiters.splice(0);
    this.ending = { error: waiters.length > 0 ? null : error };
    for (const waiter of waiters) {
      if (error === null) waiter.resolve(null);
      else waiter.reject(error);
    }
  }
}
