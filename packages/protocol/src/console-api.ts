import { z } from 'zod';
import { IceServerSchema } from './device-messages.js';
import { ResourceIdSchema } from './resource-id.js';

/**
 * The hub's API for the console's analytics, models and settings pages, and the public first-run check (prefix
 * /api/v1). Like api.ts: the hub validates requests with these schemas and the SDK validates the answers.
 */

const TimeSchema = z.number().int().nonnegative();
/** Query strings carry times as Unix ms or ISO-8601. */
const QueryTimeSchema = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);
const EventTypeSchema = z.enum(['zone.enter', 'zone.exit', 'zone.loiter', 'line.cross']);
const LabelSchema = z.string().min(1).max(100);

/** The longest range an occupancy or heatmap query may cover. */
export const MAX_ANALYTICS_RANGE_MS = 31 * 86_400_000;
/** The most buckets one occupancy query may ask for. */
export const MAX_OCCUPANCY_BUCKETS = 1500;

export const OCCUPANCY_BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type OccupancyBucket = keyof typeof OCCUPANCY_BUCKET_MS;

function checkRange(q: { from: number; to: number }, ctx: z.RefinementCtx): void {
  if (q.to <= q.from) ctx.addIssue({ code: 'custom', message: 'must be after from', path: ['to'] });
  else if (q.to - q.from > MAX_ANALYTICS_RANGE_MS) ctx.addIssue({ code: 'custom', message: 'the range may cover at most 31 days', path: ['to'] });
}

// --- first run ---

/** `GET /setup/status`, public: whether the hub still waits for its first administrator. */
export const SetupStatusSchema = z.object({ needed: z.boolean() });
export type SetupStatus = z.infer<typeof SetupStatusSchema>;

// --- occupancy ---

export const OccupancyQuerySchema = z
  .object({
    cameraId: ResourceIdSchema.optional(),
    zoneId: z.string().min(1).max(100).optional(),
    label: LabelSchema.optional(),
    from: QueryTimeSchema,
    to: QueryTimeSchema,
    bucket: z.enum(['minute', 'hour', 'day']).default('hour'),
  })
  .strict()
  .superRefine((q, ctx) => {
    checkRange(q, ctx);
    const buckets = Math.ceil((q.to - q.from) / OCCUPANCY_BUCKET_MS[q.bucket]);
    if (q.to > q.from && buckets > MAX_OCCUPANCY_BUCKETS) {
      ctx.addIssue({ code: 'custom', message: `${buckets} buckets; at most ${MAX_OCCUPANCY_BUCKETS}: choose a larger bucket or a shorter range`, path: ['bucket'] });
    }
  });
export type OccupancyQuery = z.input<typeof OccupancyQuerySchema>;

/** One bucket of a zone's occupancy: the most objects inside at any moment, the time-weighted mean, the count at its end. */
export const OccupancyPointSchema = z.object({
  bucketStart: TimeSchema,
  max: z.number().int().nonnegative(),
  mean: z.number().nonnegative(),
  last: z.number().int().nonnegative(),
});
export type OccupancyPoint = z.infer<typeof OccupancyPointSchema>;

export const OccupancySeriesSchema = z.object({
  cameraId: z.string(),
  zoneId: z.string(),
  /** One class; null: every class together (the sum of the per-class counts). */
  label: z.string().nullable(),
  points: z.array(OccupancyPointSchema),
});
export type OccupancySeries = z.infer<typeof OccupancySeriesSchema>;

export const OccupancyResponseSchema = z.object({
  from: TimeSchema,
  to: TimeSchema,
  bucket: z.enum(['minute', 'hour', 'day']),
  /** The running counts start at zero this long before `from`, so objects already inside are counted. */
  warmupMs: z.number().int().nonnegative(),
  /** Zone entries and exits replayed, warm-up included. */
  transitions: z.number().int().nonnegative(),
  series: z.array(OccupancySeriesSchema),
});
export type OccupancyResponse = z.infer<typeof OccupancyResponseSchema>;

// --- heatmap ---

export const HeatmapAnchorSchema = z.enum(['bottom-center', 'center']);
export type HeatmapAnchor = z.infer<typeof HeatmapAnchorSchema>;

export const HeatmapQuerySchema = z
  .object({
    from: QueryTimeSchema,
    to: QueryTimeSchema,
    label: LabelSchema.optional(),
    type: EventTypeSchema.optional(),
    /** The point of each box that is counted: where an object stands (bottom-center, the default) or its centre. */
    anchor: HeatmapAnchorSchema.default('bottom-center'),
    cols: z.coerce.number().int().min(4).max(128).default(32),
    rows: z.coerce.number().int().min(4).max(72).default(18),
  })
  .strict()
  .superRefine(checkRange);
export type HeatmapQuery = z.input<typeof HeatmapQuerySchema>;

export const HeatmapSchema = z.object({
  cameraId: z.string(),
  from: TimeSchema,
  to: TimeSchema,
  anchor: HeatmapAnchorSchema,
  cols: z.number().int().positive(),
  rows: z.number().int().positive(),
  /** rows × cols counts, row by row from the top-left of the picture. */
  cells: z.array(z.number().int().nonnegative()),
  max: z.number().int().nonnegative(),
  /** Events binned. */
  total: z.number().int().nonnegative(),
  /** True when the range held more events than one heatmap reads; the newest were binned. */
  truncated: z.boolean(),
  /** The camera's latest stored frame snapshot, to draw the heatmap on; null when it has none. */
  background: z
    .object({ url: z.string(), width: z.number().int().positive(), height: z.number().int().positive(), wallTime: TimeSchema })
    .nullable(),
});
export type Heatmap = z.infer<typeof HeatmapSchema>;

// --- models ---

export const ModelUserSchema = z.object({
  cameraId: z.string(),
  deviceId: z.string(),
  name: z.string().nullable(),
  enabled: z.boolean(),
  /** What the camera runs the model for: object detection, or finding faces to blur. */
  use: z.enum(['detection', 'face-blur']),
});
export type ModelUser = z.infer<typeof ModelUserSchema>;

export const ModelInfoSchema = z.object({
  /** The catalogue name, or what a camera names (a model package path on its edge). */
  name: z.string(),
  inCatalogue: z.boolean(),
  description: z.string().nullable(),
  family: z.string().nullable(),
  version: z.string().nullable(),
  license: z.string().nullable(),
  input: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).nullable(),
  labels: z.array(z.string()),
  sizeBytes: z.number().int().positive().nullable(),
  /** The official download address of a catalogue model. */
  url: z.string().nullable(),
  cameras: z.array(ModelUserSchema),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const ModelListSchema = z.object({ models: z.array(ModelInfoSchema) });
export type ModelList = z.infer<typeof ModelListSchema>;

// --- settings ---

const ICE_URL = /^(stun|stuns|turn|turns):[^\s/?#][^\s]*$/;
const ICE_URL_MESSAGE = 'a stun:, stuns:, turn: or turns: URL, e.g. stun:stun.example.org:3478';

/** A STUN or TURN server as browsers take it (RTCIceServer); TURN needs a username and a credential. */
export const IceServerSettingSchema = IceServerSchema.extend({
  urls: z.union([z.string().max(2048), z.array(z.string().max(2048)).min(1).max(8)]),
  username: z.string().min(1).max(256).optional(),
  credential: z.string().min(1).max(256).optional(),
})
  .strict()
  .superRefine((server, ctx) => {
    const urls = [server.urls].flat();
    urls.forEach((url, i) => {
      if (!ICE_URL.test(url)) ctx.addIssue({ code: 'custom', message: ICE_URL_MESSAGE, path: Array.isArray(server.urls) ? ['urls', i] : ['urls'] });
    });
    if (urls.some((u) => u.startsWith('turn')) && (!server.username || !server.credential)) {
      ctx.addIssue({ code: 'custom', message: 'a TURN server needs a username and a credential', path: [server.username ? 'credential' : 'username'] });
    }
  });
export type IceServerSetting = z.infer<typeof IceServerSettingSchema>;

/** What an administrator can change at run time. */
export const EditableHubSettingsSchema = z.object({
  /** Events and their snapshots older than this are deleted (hourly, and at once when this changes). */
  eventRetentionDays: z.number().int().min(1).max(36_500),
  /** STUN/TURN servers for live video: given to viewers' players, the hub's relay and publishing edges. */
  iceServers: z.array(IceServerSettingSchema).max(10),
});
export type EditableHubSettings = z.infer<typeof EditableHubSettingsSchema>;

export const UpdateHubSettingsRequestSchema = EditableHubSettingsSchema.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least one setting: eventRetentionDays, iceServers' });
export type UpdateHubSettingsRequest = z.input<typeof UpdateHubSettingsRequestSchema>;

/** Where a setting's value comes from: the built-in default, the hub's start options, or an administrator's change. */
export const SettingSourceSchema = z.enum(['default', 'startup', 'console']);
export type SettingSource = z.infer<typeof SettingSourceSchema>;

export const HubSettingsSchema = EditableHubSettingsSchema.extend({
  sources: z.object({ eventRetentionDays: SettingSourceSchema, iceServers: SettingSourceSchema }),
  /** When an administrator last changed a setting, and who (null: never). */
  updatedAt: TimeSchema.nullable(),
  updatedBy: z.string().nullable(),
  /** Recordings retention, set when the hub starts (read-only here). */
  recordings: z.object({
    /** The budget for all cameras' recordings together; null: none. */
    maxBytes: z.number().int().positive().nullable(),
    usedBytes: z.number().int().nonnegative(),
    /** How long a camera's recordings are kept when its config does not say (`recording.retainDays`). */
    defaultRetainDays: z.number().positive(),
  }),
});
export type HubSettings = z.infer<typeof HubSettingsSchema>;
