/**
 * Per-key FIFO queues served round-robin: each `shift` takes the next key after the one served last,
 * so one busy camera cannot starve the others. Each key's queue is bounded; `push` returns what had to go.
 */
export class FairQueue<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys in first-seen order; the round-robin walks this ring. */
  private readonly keys: string[] = [];
  private cursor = 0;
  private total = 0;

  constructor(private readonly maxPerKey: number) {
    if (!(maxPerKey >= 1)) throw new RangeError(`maxPerKey must be at least 1, got ${maxPerKey}`);
  }

  get size(): number {
    return this.total;
  }

  sizeOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  isFull(key: string): boolean {
    return this.sizeOf(key) >= this.maxPerKey;
  }

  /** Append an item; when the key's queue is full its oldest item is removed and returned. */
  push(key: string, item: T): T | undefined {
    let q = this.queues.get(key);
    if (!q) {
      q = [];
      this.queues.set(key, q);
      this.keys.push(key);
    }
    let evicted: T | undefined;
    if (q.length >= this.maxPerKey) {
      evicted = q.shift();
      this.total--;
    }
    q.push(item);
    this.total++;
    return evicted;
  }

  /** The oldest item of the next key in turn, or undefined when everything is empty. */
  shift(): T | undefined {
    if (this.total === 0) return undefined;
    for (let n = 0; n < this.keys.length; n++) {
      const idx = (this.cursor + n) % this.keys.length;
      const q = this.queues.get(this.keys[idx]!);
      if (q && q.length > 0) {
        this.cursor = (idx + 1) % this.keys.length;
        this.total--;
        return q.shift();
      }
    }
    return undefined;
  }

  /** Remove and return everything (used on close). */
  drain(): T[] {
    const all: T[] = [];
    for (const q of this.queues.values()) all.push(...q.splice(0));
    this.total = 0;
    return all;
  }
}
