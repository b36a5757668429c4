import type { TimeSpan } from '@sightline/protocol';

/**
 * Segments cut from one continuous recording meet end to start, give or take rounding of their wall-clock times (and
 * a restarted recorder overlaps the previous segment a little). Holes shorter than this are not gaps.
 */
export const GAP_TOLERANCE_MS = 250;

/**
 * Merges segment spans (sorted by start) into the recorded ranges within [from, to), and the gaps between them: what
 * a timeline shows. Both lists are clipped to the query and together cover it exactly.
 */
export function recordedRanges(
  spans: readonly { startedAt: number; endedAt: number }[],
  from: number,
  to: number,
  toleranceMs = GAP_TOLERANCE_MS,
): { ranges: TimeSpan[]; gaps: TimeSpan[] } {
  const ranges: TimeSpan[] = [];
  for (const span of spans) {
    const start = Math.max(span.startedAt, from);
    const end = Math.min(span.endedAt, to);
    if (end <= start) continue;
    const last = ranges[ranges.length - 1];
    if (last && start <= last.to + toleranceMs) last.to = Math.max(last.to, end);
    else ranges.push({ from: start, to: end });
  }
  const gaps: TimeSpan[] = [];
  let cursor = from;
  for (const range of ranges) {
    if (range.from > cursor) gaps.push({ from: cursor, to: range.from });
    cursor = range.to;
  }
  if (cursor < to) gaps.push({ from: cursor, to });
  return { ranges, gaps };
}
