import type { OccupancyPoint, OccupancySeries } from '@sightline/protocol';
import type { ZoneTransitionRow } from '../store/store.js';

/**
 * Occupancy of zones over time, derived from the stored zone entries and exits: per camera, zone and class a running
 * count (+1 on entry, −1 on exit, never below zero: an exit whose entry is not stored, e.g. older than the warm-up or
 * pruned, changes nothing), and per zone the sum over its classes. Each bucket reports the most objects inside at any
 * moment (`max`), the time-weighted mean (`mean`) and the count at its end (`last`).
 */

/** The replay starts this long before the range, at zero, so objects already inside at its start are counted. */
export const OCCUPANCY_WARMUP_MS = 6 * 3_600_000;

export interface OccupancyRange {
  from: number;
  to: number;
  bucketMs: number;
  /** Buckets after this are left out and the current one ends here: the future has no occupancy yet. */
  now: number;
}

/** A step function: the level from `time` on (until the next change). */
interface Change {
  time: number;
  level: number;
}

interface SeriesState {
  cameraId: string;
  zoneId: string;
  label: string | null;
  level: number;
  changes: Change[];
}

function record(series: SeriesState, time: number, level: number): void {
  series.level = level;
  const lastChange = series.changes[series.changes.length - 1];
  // Several transitions in the same millisecond: only where they end up counts.
  if (lastChange && lastChange.time === time) lastChange.level = level;
  else series.changes.push({ time, level });
}

/** `transitions` must be ordered by wallTime (as the store returns them); the ones before `from` are the warm-up. */
export function occupancySeries(transitions: readonly ZoneTransitionRow[], range: OccupancyRange): OccupancySeries[] {
  const byClass = new Map<string, SeriesState>();
  const byZone = new Map<string, SeriesState>();
  const classesOfZone = new Map<string, SeriesState[]>();
  for (const t of transitions) {
    const zoneKey = JSON.stringify([t.cameraId, t.zoneId]);
    const classKey = JSON.stringify([t.cameraId, t.zoneId, t.label]);
    let zone = byZone.get(zoneKey);
    if (!zone) {
      zone = { cameraId: t.cameraId, zoneId: t.zoneId, label: null, level: 0, changes: [] };
      byZone.set(zoneKey, zone);
      classesOfZone.set(zoneKey, []);
    }
    let cls = byClass.get(classKey);
    if (!cls) {
      cls = { cameraId: t.cameraId, zoneId: t.zoneId, label: t.label, level: 0, changes: [] };
      byClass.set(classKey, cls);
      classesOfZone.get(zoneKey)!.push(cls);
    }
    const delta = t.type === 'zone.enter' ? 1 : cls.level > 0 ? -1 : 0;
    if (delta === 0) continue;
    record(cls, t.wallTime, cls.level + delta);
    record(zone, t.wallTime, zone.level + delta);
  }
  const all = [...byZone.values(), ...byClass.values()].sort(
    (a, b) => compare(a.cameraId, b.cameraId) || compare(a.zoneId, b.zoneId) || compareLabel(a.label, b.label),
  );
  return all.map((s) => ({ cameraId: s.cameraId, zoneId: s.zoneId, label: s.label, points: sample(s.changes, range) }));
}

/** The step function `changes` (level 0 before the first) sampled per bucket over [from, min(to, now)). */
export function sample(changes: readonly Change[], range: OccupancyRange): OccupancyPoint[] {
  const { from, bucketMs } = range;
  const end = Math.min(range.to, range.now);
  const points: OccupancyPoint[] = [];
  let level = 0;
  let i = 0;
  for (let bucketStart = Math.floor(from / bucketMs) * bucketMs; bucketStart < end; bucketStart += bucketMs) {
    const windowStart = Math.max(bucketStart, from);
    const windowEnd = Math.min(bucketStart + bucketMs, end);
    // Everything up to the window's start sets the level it starts with.
    while (i < changes.length && changes[i]!.time <= windowStart) level = changes[i++]!.level;
    let max = level;
    let area = 0;
    let t = windowStart;
    while (i < changes.length && changes[i]!.time < windowEnd) {
      const change = changes[i++]!;
      area += level * (change.time - t);
      t = change.time;
      level = change.level;
      max = Math.max(max, level);
    }
    area += level * (windowEnd - t);
    points.push({ bucketStart, max, mean: Math.round((area / (windowEnd - windowStart)) * 1000) / 1000, last: level });
  }
  return points;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every class together (null) first, then the classes by name. */
function compareLabel(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compare(a, b);
}
