import { z } from 'zod';
import { BoxSchema } from './geometry.js';

const EventBaseSchema = z.object({
  /** UUIDv7: unique and sortable by creation time. */
  id: z.string().uuid(),
  cameraId: z.string().min(1),
  /** Source presentation timestamp, seconds from the start of the stream. */
  sourceTs: z.number(),
  /** Wall-clock time the event was produced, Unix milliseconds. */
  wallTime: z.number().int().nonnegative(),
  frameIndex: z.number().int().nonnegative(),
  trackId: z.number().int().positive(),
  classId: z.number().int().nonnegative(),
  label: z.string(),
  confidence: z.number().min(0).max(1),
  /** Box normalized to the frame, [x1, y1, x2, y2] in 0-1. */
  bbox: BoxSchema,
});

export const ZoneEnterEventSchema = EventBaseSchema.extend({ type: z.literal('zone.enter'), zoneId: z.string() });
export const ZoneExitEventSchema = EventBaseSchema.extend({
  type: z.literal('zone.exit'),
  zoneId: z.string(),
  /** Seconds of source time spent in the zone. */
  dwell: z.number().nonnegative(),
});
export const ZoneLoiterEventSchema = EventBaseSchema.extend({
  type: z.literal('zone.loiter'),
  zoneId: z.string(),
  dwell: z.number().nonnegative(),
});
export const LineCrossEventSchema = EventBaseSchema.extend({
  type: z.literal('line.cross'),
  lineId: z.string(),
  direction: z.enum(['in', 'out']),
});

export const SightlineEventSchema = z.discriminatedUnion('type', [
  ZoneEnterEventSchema,
  ZoneExitEventSchema,
  ZoneLoiterEventSchema,
  LineCrossEventSchema,
]);
export type SightlineEvent = z.infer<typeof SightlineEventSchema>;
export type ZoneEnterEvent = z.infer<typeof ZoneEnterEventSchema>;
export type ZoneExitEvent = z.infer<typeof ZoneExitEventSchema>;
export type ZoneLoiterEvent = z.infer<typeof ZoneLoiterEventSchema>;
export type LineCrossEvent = z.infer<typeof LineCrossEventSchema>;
export type EventType = SightlineEvent['type'];

/** Live counters: who is in each zone and how many crossed each line, per class. */
export const AnalyticsStateSchema = z.object({
  cameraId: z.string(),
  sourceTs: z.number(),
  occupancy: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
  lineCounts: z.record(
    z.string(),
    z.object({
      in: z.number().int().nonnegative(),
      out: z.number().int().nonnegative(),
      byClass: z.record(z.string(), z.object({ in: z.number().int().nonnegative(), out: z.number().int().nonnegative() })),
    }),
  ),
});
export type AnalyticsState = z.infer<typeof AnalyticsStateSchema>;
