import type { CountPoint } from '@sightline/protocol';

export type GroupBy = 'zone' | 'line' | 'class';

/** The series a count point belongs to: its zone, its line (with direction) or its class. */
function seriesKey(p: CountPoint, by: GroupBy): string | undefined {
  if (by === 'class') return p.label;
  if (by === 'zone') return p.zoneId !== null && p.type === 'zone.enter' ? p.zoneId : undefined;
  return p.lineId !== null ? `${p.lineId} ${p.direction ?? ''}`.trim() : undefined;
}

export interface ChartData {
  rows: Record<string, number>[];
  series: string[];
}

/** One row per bucket (`t` = its start), one column per series, zeros where nothing happened. */
export function chartData(points: readonly CountPoint[], by: GroupBy): ChartData {
  const series = new Set<string>();
  const buckets = new Map<number, Record<string, number>>();
  for (const p of points) {
    const key = seriesKey(p, by);
    if (key === undefined) continue;
    series.add(key);
    let row = buckets.get(p.bucketStart);
    if (!row) buckets.set(p.bucketStart, (row = { t: p.bucketStart }));
    row[key] = (row[key] ?? 0) + p.count;
  }
  const names = [...series].sort();
  const rows = [...buckets.values()].sort((a, b) => a.t! - b.t!).map((row) => Object.fromEntries([['t', row.t!], ...names.map((n) => [n, row[n] ?? 0])]));
  return { rows, series: names };
}
