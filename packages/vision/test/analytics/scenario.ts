import { SightlineEventSchema, type AnalyticsConfigInput, type SightlineEvent, type Track, AnalyticsConfigSchema } from '@sightline/protocol';
import { expect } from 'vitest';
import { ZoneLineAnalytics, type ZoneLineAnalyticsOptions } from '../../src/analytics/index.js';

/** Frames are 1000 × 1000 px, so a pixel position divided by 1000 is its normalized position. */
export const SIZE = 1000;
export const FPS = 10;

export interface ObjectSpec {
  id: number;
  /** Normalized position of the box's bottom-center. */
  at: readonly [number, number];
  label?: string;
  classId?: number;
  score?: number;
  /** Normalized box width and height. */
  w?: number;
  h?: number;
  state?: Track['state'];
}

/** A track whose box has its bottom-center at `spec.at`. */
export function trackAt(spec: ObjectSpec): Track {
  const w = (spec.w ?? 0.05) * SIZE;
  const h = (spec.h ?? 0.1) * SIZE;
  const x = spec.at[0] * SIZE;
  const y = spec.at[1] * SIZE;
  return {
    trackId: spec.id,
    classId: spec.classId ?? 0,
    label: spec.label ?? 'person',
    score: spec.score ?? 0.9,
    box: [x - w / 2, y - h, x + w / 2, y],
    state: spec.state ?? 'confirmed',
    age: 1,
  };
}

export function analytics(config: AnalyticsConfigInput, options: Partial<ZoneLineAnalyticsOptions> = {}): ZoneLineAnalytics {
  return new ZoneLineAnalytics({ cameraId: 'cam-1', config: AnalyticsConfigSchema.parse(config), ...options });
}

/** Feeds frames at FPS from `start` and returns every event with the frame index it came out of. */
export function run(a: ZoneLineAnalytics, frames: ObjectSpec[][], start = 0): SightlineEvent[] {
  const events: SightlineEvent[] = [];
  frames.forEach((objects, i) => {
    const frameIndex = start + i;
    events.push(...a.update({ tracks: objects.map(trackAt), frameIndex, pts: frameIndex / FPS, width: SIZE, height: SIZE, wallTime: 1_700_000_000_000 + frameIndex * 100 }));
  });
  return events;
}

/** `n` positions evenly spaced from `from` to `to`, both included. */
export function path(from: readonly [number, number], to: readonly [number, number], n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 0 : i / (n - 1);
    return [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t];
  });
}

/** One object following `points`, one frame per point. */
export function walk(points: [number, number][], spec: Omit<ObjectSpec, 'at'>): ObjectSpec[][] {
  return points.map((at) => [{ ...spec, at }]);
}

export function types(events: SightlineEvent[]): string[] {
  return events.map((e) => e.type);
}

export function expectValidEvents(events: SightlineEvent[]): void {
  for (const e of events) expect(SightlineEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
}
