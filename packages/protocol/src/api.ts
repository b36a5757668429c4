import { z } from 'zod';
import { ConfigAppliedSchema, CameraHealthSchema } from './device-messages.js';
import { SightlineEventSchema } from './event.js';
import { CameraConfigSchema, ResourceIdSchema } from './fleet.js';
import { DeviceKindSchema } from './streaming.js';

/**
 * The hub's REST API (prefix /api/v1): request and response bodies. The hub validates every request with these
 * schemas and the SDK types its calls with them, so the two cannot drift.
 */

export const API_PREFIX = '/api/v1';

/** Every error response: a stable machine code, a human message, and the bad field when there is one. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

export const ScopeSchema = z.enum(['read', 'operate', 'admin']);
export type ApiScope = z.infer<typeof ScopeSchema>;
export const RoleSchema = z.enum(['viewer', 'operator', 'admin']);
export type ApiRole = z.infer<typeof RoleSchema>;

const UsernameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, . _ @ -');
const PasswordSchema = z.string().min(8, 'at least 8 characters').max(256);
const TimeSchema = z.number().int().nonnegative();

// --- auth ---

export const SetupRequestSchema = z.object({ username: UsernameSchema, password: PasswordSchema }).strict();
export type SetupRequest = z.infer<typeof SetupRequestSchema>;

export const UserSchema = z.object({ id: z.string(), username: z.string(), role: RoleSchema, createdAt: TimeSchema });
export type User = z.infer<typeof UserSchema>;

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: ScopeSchema,
  createdAt: TimeSchema,
  expiresAt: TimeSchema.nullable(),
  revokedAt: TimeSchema.nullable(),
  lastUsedAt: TimeSchema.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** Returned once, when a key is created: `key` is the secret a client sends as `Authorization: Bearer <key>`. */
export const ApiKeyCreatedSchema = ApiKeySchema.extend({ key: z.string() });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;

export const SetupResponseSchema = z.object({ user: UserSchema, apiKey: ApiKeyCreatedSchema });
export type SetupResponse = z.infer<typeof SetupResponseSchema>;

/** An admin adds a user (viewers watch, operators also edit cameras and zones, admins manage everything). */
export const CreateUserRequestSchema = z.object({ username: UsernameSchema, password: PasswordSchema, role: RoleSchema }).strict();
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;
export const UpdateUserRequestSchema = z.object({ role: RoleSchema }).strict();
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export const LoginRequestSchema = z.object({ username: UsernameSchema, password: z.string().min(1).max(256) }).strict();
export type LoginRequest = z.infer<typeof LoginRequestSchema>;
export const LoginResponseSchema = z.object({ user: UserSchema, token: z.string(), expiresAt: TimeSchema });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** GET /auth/me: the caller's user (for sign-in sessions; null for plain API keys) and scope. */
export const MeResponseSchema = z.object({ user: UserSchema.nullable(), scope: ScopeSchema });
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const CreateApiKeyRequestSchema = z
  .object({
    name: z.string().min(1).max(100),
    scope: ScopeSchema,
    expiresInDays: z.number().int().positive().max(3650).optional(),
  })
  .strict();
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

// --- devices ---

export const DeviceSchema = z.object({
  id: z.string(),
  /** `edge` (cameras) or `host` (cloud streaming); both enroll the same way. */
  kind: DeviceKindSchema,
  name: z.string().nullable(),
  createdAt: TimeSchema,
  enrolled: z.boolean(),
  online: z.boolean(),
  lastSeenAt: TimeSchema.nullable(),
  version: z.string().nullable(),
  cpuPercent: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  configVersion: z.number().int(),
  appliedVersion: z.number().int().nullable(),
  appliedOk: z.boolean().nullable(),
  appliedErrors: ConfigAppliedSchema.shape.errors,
  cameras: z.array(CameraHealthSchema),
  outbox: z.object({ pending: z.number().int(), dropped: z.number().int(), refused: z.number().int() }).nullable(),
});
export type Device = z.infer<typeof DeviceSchema>;

export const CreateDeviceRequestSchema = z
  .object({ id: ResourceIdSchema, name: z.string().max(200).optional(), kind: DeviceKindSchema.default('edge') })
  .strict();
export type CreateDeviceRequest = z.input<typeof CreateDeviceRequestSchema>;

/** A one-time token for `sightline edge --hub URL --token T`; creating a new one invalidates the previous. */
export const EnrollmentTokenSchema = z.object({
  deviceId: z.string(),
  token: z.string(),
  expiresAt: TimeSchema,
  command: z.string(),
});
export type EnrollmentToken = z.infer<typeof EnrollmentTokenSchema>;

export const CreateDeviceResponseSchema = z.object({ device: DeviceSchema, enrollment: EnrollmentTokenSchema });
export type CreateDeviceResponse = z.infer<typeof CreateDeviceResponseSchema>;

export const EnrollRequestSchema = z
  .object({
    token: z.string().min(10).max(200),
    /** What is enrolling; a token created for the other kind is refused (and stays usable). */
    kind: DeviceKindSchema.optional(),
  })
  .strict();
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

/** What an enrolling edge receives: its MQTT credentials, stored on the device with mode 0600. */
export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  /** Absent from hubs older than cloud streaming: treat as `edge`. */
  kind: DeviceKindSchema.default('edge'),
  mqtt: z.object({ url: z.string(), username: z.string(), password: z.string() }),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

// --- cameras ---

export const CreateCameraRequestSchema = CameraConfigSchema.extend({ deviceId: ResourceIdSchema });
export type CreateCameraRequest = z.input<typeof CreateCameraRequestSchema>;

/** A partial camera config: fields given replace the stored ones; `id` and `deviceId` cannot change. */
export const UpdateCameraRequestSchema = (() => {
  // Built without the config's defaults: a PATCH that omits a field must keep the stored value, not reset it.
  const s = CameraConfigSchema.shape;
  return z
    .object({
      name: s.name,
      source: s.source.optional(),
      model: s.model.unwrap().optional(),
      fps: s.fps.unwrap().optional(),
      enabled: s.enabled.unwrap().optional(),
      analytics: s.analytics.unwrap().optional(),
      motion: s.motion,
      privacy: s.privacy,
      recording: s.recording,
    })
    .strict();
})();
export type UpdateCameraRequest = z.input<typeof UpdateCameraRequestSchema>;

export const CameraSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  config: CameraConfigSchema,
  createdAt: TimeSchema,
  updatedAt: TimeSchema,
  /** The device config version that carries this camera's current config. */
  configVersion: z.number().int(),
  /** Whether the device has applied that version (null: not reported yet). */
  applied: z.boolean().nullable(),
  health: CameraHealthSchema.nullable(),
});
export type Camera = z.infer<typeof CameraSchema>;

// --- events ---

export const SnapshotInfoSchema = z.object({
  kind: z.enum(['crop', 'frame']),
  width: z.number().int(),
  height: z.number().int(),
  /** Path under the API, e.g. /api/v1/events/{id}/snapshots/crop. */
  url: z.string(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

export const StoredEventSchema = z.object({
  event: SightlineEventSchema,
  deviceId: z.string(),
  ingestedAt: TimeSchema,
  snapshots: z.array(SnapshotInfoSchema),
});
export type StoredEvent = z.infer<typeof StoredEventSchema>;

const EventTypeSchema = z.enum(['zone.enter', 'zone.exit', 'zone.loiter', 'line.cross']);
/** Query strings carry times as Unix ms or ISO-8601. */
const QueryTimeSchema = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const EventFilterSchema = z.object({
  cameraId: ResourceIdSchema.optional(),
  deviceId: ResourceIdSchema.optional(),
  type: EventTypeSchema.optional(),
  label: z.string().min(1).max(100).optional(),
  zoneId: z.string().min(1).max(100).optional(),
  lineId: z.string().min(1).max(100).optional(),
  trackId: z.coerce.number().int().positive().optional(),
  from: QueryTimeSchema.optional(),
  to: QueryTimeSchema.optional(),
});
export type EventFilter = z.input<typeof EventFilterSchema>;

export const EventListQuerySchema = EventFilterSchema.extend({
  cursor: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
}).strict();
export type EventListQuery = z.input<typeof EventListQuerySchema>;

export const EventPageSchema = z.object({ events: z.array(StoredEventSchema), nextCursor: z.string().nullable() });
export type EventPage = z.infer<typeof EventPageSchema>;

export const CountsQuerySchema = z
  .object({
    bucket: z.enum(['minute', 'hour', 'day']).default('hour'),
    from: QueryTimeSchema,
    to: QueryTimeSchema,
    cameraId: ResourceIdSchema.optional(),
    zoneId: z.string().min(1).max(100).optional(),
    lineId: z.string().min(1).max(100).optional(),
    label: z.string().min(1).max(100).optional(),
    type: EventTypeSchema.optional(),
  })
  .strict()
  .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] });
export type CountsQuery = z.input<typeof CountsQuerySchema>;

export const CountPointSchema = z.object({
  bucketStart: TimeSchema,
  cameraId: z.string(),
  type: EventTypeSchema,
  zoneId: z.string().nullable(),
  lineId: z.string().nullable(),
  direction: z.enum(['in', 'out']).nullable(),
  label: z.string(),
  count: z.number().int(),
});
export type CountPoint = z.infer<typeof CountPointSchema>;

export const CountsResponseSchema = z.object({ bucket: z.enum(['minute', 'hour', 'day']), points: z.array(CountPointSchema) });
export type CountsResponse = z.infer<typeof CountsResponseSchema>;

/** One message of the live event stream (SSE `data:` line, event name `sightline-event`). */
export const LiveEventSchema = StoredEventSchema;
export type LiveEvent = StoredEvent;

// --- recordings ---

/** One stored piece of a camera's recording: a self-contained fragmented MP4 of a few seconds. */
export const RecordingSegmentSchema = z.object({
  id: z.string(),
  cameraId: z.string(),
  deviceId: z.string(),
  /** Wall-clock ms of the first frame. */
  startedAt: TimeSchema,
  /** Wall-clock ms just after the last frame. */
  endedAt: TimeSchema,
  bytes: z.number().int().nonnegative(),
});
export type RecordingSegment = z.infer<typeof RecordingSegmentSchema>;

/** What `PUT /recordings/segments/{id}` answers: `stored` is false when the id was already stored (a retry). */
export const RecordingUploadResultSchema = z.object({ stored: z.boolean(), segment: RecordingSegmentSchema });
export type RecordingUploadResult = z.infer<typeof RecordingUploadResultSchema>;

/** A time span in wall-clock ms, `from` inclusive, `to` exclusive. */
export const TimeSpanSchema = z.object({ from: TimeSchema, to: TimeSchema });
export type TimeSpan = z.infer<typeof TimeSpanSchema>;

/** The longest time range one listing or one exported clip may cover. */
export const MAX_RECORDING_QUERY_MS = 24 * 3_600_000;
export const MAX_CLIP_MS = 6 * 3_600_000;

/** Checks a query's `from`/`to`: `to` after `from`, and at most `maxMs` later. */
function boundedRange(maxMs: number) {
  return (q: { from: number; to: number }, ctx: z.RefinementCtx) => {
    if (q.to <= q.from) ctx.addIssue({ code: 'custom', message: 'must be after from', path: ['to'] });
    else if (q.to - q.from > maxMs) ctx.addIssue({ code: 'custom', message: `the range may cover at most ${maxMs / 3_600_000} hours`, path: ['to'] });
  };
}

export const RecordingListQuerySchema = z
  .object({
    from: QueryTimeSchema,
    to: QueryTimeSchema,
    /** Most segments listed; the ranges and gaps always cover the whole query. */
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict()
  .superRefine(boundedRange(MAX_RECORDING_QUERY_MS));
export type RecordingListQuery = z.input<typeof RecordingListQuerySchema>;

/** Whether a clip is sent as a download (Content-Disposition: attachment) rather than for playing in the page. */
const DownloadFlagSchema = z.stringbool().optional();

export const ClipQuerySchema = z
  .object({ from: QueryTimeSchema, to: QueryTimeSchema, download: DownloadFlagSchema })
  .strict()
  .superRefine(boundedRange(MAX_CLIP_MS));
export type ClipQuery = z.input<typeof ClipQuerySchema>;

export const EventClipQuerySchema = z.object({ download: DownloadFlagSchema }).strict();
export type EventClipQuery = z.input<typeof EventClipQuerySchema>;

/**
 * A camera's recordings in a time range: the segments (oldest first, at most `limit`), the recorded time merged into
 * ranges, and the gaps between them, both clipped to the query.
 */
export const RecordingListSchema = z.object({
  cameraId: z.string(),
  from: TimeSchema,
  to: TimeSchema,
  ranges: z.array(TimeSpanSchema),
  gaps: z.array(TimeSpanSchema),
  segments: z.array(RecordingSegmentSchema),
  /** True when more segments overlap the range than `limit` allowed to list. */
  truncated: z.boolean(),
});
export type RecordingList = z.infer<typeof RecordingListSchema>;

/** A short-lived token that lets a <video> element fetch one camera's recordings with `?access_token=`. */
export const RecordingTokenSchema = z.object({ token: z.string(), expiresAt: TimeSchema });
export type RecordingToken = z.infer<typeof RecordingTokenSchema>;
