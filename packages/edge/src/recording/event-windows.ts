/**
 * The time spans events asked to keep, [event − pre-roll, event + post-roll), merged where they overlap (a burst of
 * events keeps one stretch from the first pre-roll to the last post-roll).
 */
export class EventWindows {
  private spans: { from: number; to: number }[] = [];

  add(from: number, to: number): void {
    const merged = { from, to };
    const kept: { from: number; to: number }[] = [];
    for (const span of this.spans) {
      if (span.to < merged.from || span.from > merged.to) kept.push(span);
      else {
        merged.from = Math.min(merged.from, span.from);
        merged.to = Math.max(merged.to, span.to);
      }
    }
    kept.push(merged);
    this.spans = kept.sort((a, b) => a.from - b.from);
  }

  /** Whether [start, end) overlaps any span. */
  overlaps(start: number, end: number): boolean {
    return this.spans.some((span) => start < span.to && end > span.from);
  }

  /** Forgets spans that ended before `time` (no segment still to come can reach back to them). */
  forgetBefore(time: number): void {
    this.spans = this.spans.filter((span) => span.to >= time);
  }

  get size(): number {
    return this.spans.length;
  }
}
