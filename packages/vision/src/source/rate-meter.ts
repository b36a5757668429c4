/** Measures an event rate (frames per second) over the most recent events. */
export class RateMeter {
  private readonly times: number[] = [];

  constructor(
    private readonly window = 30,
    /** After this long without events the rate reads 0 rather than the last figure. */
    private readonly staleAfterMs = 3000,
  ) {}

  record(nowMs: number): void {
    this.times.push(nowMs);
    if (this.times.length > this.window) this.times.shift();
  }

  reset(): void {
    this.times.length = 0;
  }

  rate(nowMs: number): number {
    const first = this.times[0];
    const last = this.times.at(-1);
    if (first === undefined || last === undefined || this.times.length < 2) return 0;
    if (nowMs - last > this.staleAfterMs) return 0;
    return last > first ? ((this.times.length - 1) * 1000) / (last - first) : 0;
  }
}
