/** A bounded window of samples with mean and percentiles, for per-frame timings. */
export class SampleWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;
  count = 0;

  constructor(capacity = 1024) {
    this.samples = new Float64Array(capacity);
  }

  add(value: number): void {
    if (this.filled === this.samples.length) this.sum -= this.samples[this.next]!;
    else this.filled++;
    this.samples[this.next] = value;
    this.sum += value;
    this.next = (this.next + 1) % this.samples.length;
    this.count++;
  }

  summary(): TimingSummary {
    if (this.filled === 0) return { count: 0, avg: 0, p50: 0, p95: 0 };
    const sorted = this.samples.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { count: this.count, avg: this.sum / this.filled, p50: at(0.5), p95: at(0.95) };
  }
}

/** Milliseconds over the most recent samples (up to the window size); `count` is every sample ever. */
export interface TimingSummary {
  count: number;
  avg: number;
  p50: number;
  p95: number;
}
