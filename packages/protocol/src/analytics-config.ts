import { z } from 'zod';
import { NormalizedPointSchema } from './geometry.js';

/** Which point of a box stands for the object when testing zones and lines. */
export const AnchorSchema = z.enum(['bottom-center', 'center', 'top-center']);
export type Anchor = z.infer<typeof AnchorSchema>;

export const ObjectFilterSchema = z.object({
  /** Class names to count; all classes when absent. */
  classes: z.array(z.string().min(1)).min(1).optional(),
  minConfidence: z.number().min(0).max(1).default(0),
  /** Minimum box area as a fraction of the frame area. */
  minArea: z.number().min(0).max(1).default(0),
  anchor: AnchorSchema.default('bottom-center'),
});
export type ObjectFilter = z.infer<typeof ObjectFilterSchema>;

const IdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore');

export const ZoneSchema = z.object({
  id: IdSchema,
  name: z.string().optional(),
  polygon: z.array(NormalizedPointSchema).min(3, 'a zone needs at least 3 points'),
  filter: ObjectFilterSchema.default({ minConfidence: 0, minArea: 0, anchor: 'bottom-center' }),
  /** Seconds inside the zone after which a loitering event fires; none when absent. */
  loiterSeconds: z.number().positive().optional(),
});
export type Zone = z.infer<typeof ZoneSchema>;

/**
 * A counting line from a to b. Crossing towards the side the normal points to counts as "in";
 * the normal is (b - a) turned 90° clockwise on screen (y grows downwards). For a line drawn left to
 * right, "in" is moving down the picture. `invert` swaps the two.
 */
export const LineSchema = z
  .object({
    id: IdSchema,
    name: z.string().optional(),
    a: NormalizedPointSchema,
    b: NormalizedPointSchema,
    invert: z.boolean().default(false),
    filter: ObjectFilterSchema.default({ minConfidence: 0, minArea: 0, anchor: 'bottom-center' }),
  })
  .refine((l) => l.a[0] !== l.b[0] || l.a[1] !== l.b[1], { message: 'a line needs two distinct points', path: ['b'] });
export type Line = z.infer<typeof LineSchema>;

export const AnalyticsConfigSchema = z
  .object({
    zones: z.array(ZoneSchema).default([]),
    lines: z.array(LineSchema).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    for (const [kind, items] of [['zones', c.zones], ['lines', c.lines]] as const) {
      items.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [kind, i, 'id'], message: `duplicate id "${item.id}"` });
        seen.add(item.id);
      });
    }
  });
export type AnalyticsConfig = z.infer<typeof AnalyticsConfigSchema>;
export type AnalyticsConfigInput = z.input<typeof AnalyticsConfigSchema>;

/** The zone used when a config has neither zones nor lines: the whole frame. */
export const WHOLE_FRAME_ZONE_ID = 'frame';
