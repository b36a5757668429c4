import { z } from 'zod';
import { IceServerSchema } from './device-messages.js';
import { ResourceIdSchema } from './resource-id.js';

/**
 * Cloud streaming (issue 6): apps in the hub's catalogue, streaming hosts that run them, and players' sessions.
 * A host is a device of kind `host`: it enrolls like an edge and talks to the hub over MQTT under its own subtree:
 *   sightline/v1/devices/{hostId}/host/heartbeat   host → hub  HostHeartbeat (capacity and running sessions)
 *   sightline/v1/devices/{hostId}/sessions         hub → host  SessionCommand (QoS 1)
 *   sightline/v1/devices/{hostId}/sessions/state   host → hub  SessionStateReport (QoS 1)
 * Video goes host → hub over WHIP (one relay per session) and hub → player over WHEP; the player's input goes back
 * over two data channels of the player's WHEP connection, which the hub forwards to the same-named channels of the
 * host's WHIP connection.
 */

export const DeviceKindSchema = z.enum(['edge', 'host']);
export type DeviceKind = z.infer<typeof DeviceKindSchema>;

/** The data channels a player opens on its WHEP connection, and the host on its WHIP connection. */
export const INPUT_CHANNELS = {
  /** Keys and buttons (and gamepad states): reliable and ordered, so a release never overtakes its press. */
  reliable: 'input',
  /** Pointer moves and wheel: unordered, 100 ms lifetime, so a late move is dropped rather than delaying the next. */
  pointer: 'pointer',
} as const;
export const POINTER_CHANNEL_LIFETIME_MS = 100;

export const VideoCodecSchema = z.enum(['h264', 'vp8']);
export type VideoCodec = z.infer<typeof VideoCodecSchema>;

/** How the player's input reaches the app; `gamepad` maps the standard gamepad onto keys (XTest has no joystick). */
export const InputProfileSchema = z.enum(['keyboard-mouse', 'pointer-lock', 'gamepad']);
export type InputProfile = z.infer<typeof InputProfileSchema>;

/** A standard-mapping gamepad button (index 0..16) or axis direction mapped to a KeyboardEvent.code. */
export const GamepadKeyMapSchema = z
  .object({
    buttons: z.record(z.string().regex(/^([0-9]|1[0-6])$/), z.string().regex(/^[A-Za-z0-9]{1,32}$/)).default({}),
    axes: z
      .record(z.string().regex(/^[0-3][+-]$/), z.string().regex(/^[A-Za-z0-9]{1,32}$/))
      .default({}),
  })
  .strict();
export type GamepadKeyMap = z.infer<typeof GamepadKeyMapSchema>;

/** Arrows on the left stick and d-pad, A/B/X/Y on Space/Enter/KeyX/KeyZ, Start on Escape: what most games accept. */
export const DEFAULT_GAMEPAD_KEYS: GamepadKeyMap = {
  buttons: { '0': 'Space', '1': 'Enter', '2': 'KeyX', '3': 'KeyZ', '9': 'Escape', '12': 'ArrowUp', '13': 'ArrowDown', '14': 'ArrowLeft', '15': 'ArrowRight' },
  axes: { '0-': 'ArrowLeft', '0+': 'ArrowRight', '1-': 'ArrowUp', '1+': 'ArrowDown' },
};

const AppFieldsSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  /** An X11 program on the host: absolute path or a name on the host's PATH. */
  command: z.string().min(1).max(1024),
  args: z.array(z.string().max(4096)).max(64).default([]),
  /** Extra environment for the app (the host's own environment is never passed). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(4096)).default({}),
  width: z.number().int().min(160).max(3840).default(1280),
  height: z.number().int().min(120).max(2160).default(720),
  fps: z.number().int().min(1).max(120).default(30),
  codec: VideoCodecSchema.default('h264'),
  /** Start bitrate and ceiling; the session adapts below it to the player's network. */
  bitrateKbps: z.number().int().min(100).max(50_000).default(4000),
  inputProfile: InputProfileSchema.default('keyboard-mouse'),
  gamepadKeys: GamepadKeyMapSchema.optional(),
  /** Keep the player's save data between sessions: the app's HOME, per app and player, on the host. */
  saveData: z.boolean().default(false),
  idleTimeoutSeconds: z.number().int().min(10).max(24 * 3600).default(600),
  maxDurationSeconds: z.number().int().min(30).max(7 * 24 * 3600).default(4 * 3600),
});

export const AppSchema = AppFieldsSchema.extend({ id: ResourceIdSchema, createdAt: z.number().int(), updatedAt: z.number().int() });
export type App = z.infer<typeof AppSchema>;
export const CreateAppRequestSchema = AppFieldsSchema.extend({ id: ResourceIdSchema }).strict();
export type CreateAppRequest = z.input<typeof CreateAppRequestSchema>;
/** A partial entry, built without the defaults: a PATCH that omits a field keeps the stored value, not the default. */
export const UpdateAppRequestSchema = z
  .object(
    Object.fromEntries(
      Object.entries(AppFieldsSchema.shape).map(([key, field]) => [key, (field instanceof z.ZodDefault ? field.unwrap() : field).optional()]),
    ) as unknown as { [K in keyof typeof AppFieldsSchema.shape]: z.ZodOptional<z.ZodType<z.output<(typeof AppFieldsSchema.shape)[K]>>> },
  )
  .strict();
export type UpdateAppRequest = z.input<typeof UpdateAppRequestSchema>;

export const EncoderInfoSchema = z.object({
  codec: VideoCodecSchema,
  /** The ffmpeg encoder: libx264, libvpx, h264_nvenc, h264_vaapi. */
  encoder: z.string().min(1).max(64),
  hardware: z.boolean(),
});
export type EncoderInfo = z.infer<typeof EncoderInfoSchema>;

export const HostCapacitySchema = z.object({
  slots: z.number().int().min(0).max(256),
  maxWidth: z.number().int().min(160).max(7680),
  maxHeight: z.number().int().min(120).max(4320),
  maxFps: z.number().int().min(1).max(240),
  encoders: z.array(EncoderInfoSchema).max(16),
});
export type HostCapacity = z.infer<typeof HostCapacitySchema>;

export const HostSessionStateSchema = z.enum(['starting', 'running', 'ending', 'ended']);

export const EndReasonSchema = z.enum([
  'ended',
  'player-left',
  'idle-timeout',
  'max-duration',
  'app-exited',
  'display-lost',
  'capture-failed',
  'start-failed',
  'host-lost',
  'cancelled',
  'hub-restarted',
]);
export type EndReason = z.infer<typeof EndReasonSchema>;

export const HostSessionStatsSchema = z.object({
  fps: z.number().nonnegative(),
  bitrateKbps: z.number().nonnegative(),
  targetBitrateKbps: z.number().nonnegative(),
  /** Capture and encode CPU of this session, percent of one core. */
  cpuPercent: z.number().nonnegative(),
  captureLatencyMs: z.number().nonnegative(),
  keyframes: z.number().int().nonnegative(),
});
export type HostSessionStats = z.infer<typeof HostSessionStatsSchema>;

export const HostHeartbeatSchema = z.object({
  hostId: ResourceIdSchema,
  ts: z.number().int().nonnegative(),
  version: z.string().max(64),
  cpuPercent: z.number().nonnegative(),
  memoryBytes: z.number().int().nonnegative(),
  capacity: HostCapacitySchema,
  sessions: z
    .array(z.object({ sessionId: z.string().uuid(), state: HostSessionStateSchema, stats: HostSessionStatsSchema.optional() }))
    .max(256),
});
export type HostHeartbeat = z.infer<typeof HostHeartbeatSchema>;

/** What the hub tells a host: start a session (with where to publish it), end it, or adapt it. */
export const SessionCommandSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('start'),
    sessionId: z.string().uuid(),
    app: AppSchema,
    /** Who plays, for the save-data directory: a stable id, never a name or a secret. */
    playerId: z.string().min(1).max(200),
    whipUrl: z.string().url(),
    token: z.string().min(10).max(2000),
    iceServers: z.array(IceServerSchema).max(10).default([]),
  }),
  z.object({ action: z.literal('end'), sessionId: z.string().uuid(), reason: EndReasonSchema }),
  /** The player's connection is gone: let go of held keys and buttons (the session waits for a reconnect). */
  z.object({ action: z.literal('release-input'), sessionId: z.string().uuid() }),
  /** Network adaptation: the encoder's new target. */
  z.object({
    action: z.literal('target'),
    sessionId: z.string().uuid(),
    bitrateKbps: z.number().int().min(50).max(50_000),
    fps: z.number().int().min(1).max(120).optional(),
    /** Scale the picture down to this height (the app's own height: no scaling). */
    height: z.number().int().min(90).max(2160).optional(),
  }),
]);
export type SessionCommand = z.infer<typeof SessionCommandSchema>;

export const SessionStateReportSchema = z.object({
  sessionId: z.string().uuid(),
  state: HostSessionStateSchema,
  reason: EndReasonSchema.optional(),
  message: z.string().max(2000).optional(),
  /** Phases of the start, ms (display, input, app, first picture). */
  startupMs: z.record(z.string().max(32), z.number().nonnegative()).optional(),
});
export type SessionStateReport = z.infer<typeof SessionStateReportSchema>;

// --- REST ---

export const StreamSessionStateSchema = z.enum(['queued', 'starting', 'running', 'ending', 'ended']);
export type StreamSessionState = z.infer<typeof StreamSessionStateSchema>;

export const StreamSessionSchema = z.object({
  id: z.string().uuid(),
  appId: z.string(),
  appName: z.string(),
  state: StreamSessionStateSchema,
  /** 1-based place in the queue while queued. */
  queuePosition: z.number().int().positive().nullable(),
  hostId: z.string().nullable(),
  endReason: EndReasonSchema.nullable(),
  message: z.string().nullable(),
  createdAt: z.number().int(),
  startedAt: z.number().int().nullable(),
  endedAt: z.number().int().nullable(),
  /** The player's WHEP endpoint (post an offer with the two input data channels, using the same credential). */
  whepUrl: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number().int(),
  inputProfile: InputProfileSchema,
  gamepadKeys: GamepadKeyMapSchema.nullable(),
  /** A player who lost the connection may come back within this many ms and resume the session. */
  reconnectGraceMs: z.number().int().nonnegative(),
  spectators: z.number().int().nonnegative(),
  /** What the host last reported about the running session (encoder fps and bitrate, its CPU), or null. */
  hostStats: HostSessionStatsSchema.nullable().default(null),
  /** Whether the session is recorded, and its recording's state: `ready` means recording.mp4 can be fetched. */
  recording: z.enum(['off', 'recording', 'ready', 'failed']).default('off'),
});
export type StreamSession = z.infer<typeof StreamSessionSchema>;

export const CreateSessionRequestSchema = z
  .object({
    /** Record the session's video on the hub as one MP4 (GET /sessions/{id}/recording.mp4 once it has ended). */
    record: z.boolean().default(false),
  })
  .strict();
export type CreateSessionRequest = z.input<typeof CreateSessionRequestSchema>;

export const SpectateTokenSchema = z.object({ token: z.string(), expiresAt: z.number().int(), whepUrl: z.string() });
export type SpectateToken = z.infer<typeof SpectateTokenSchema>;

export const HostSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  online: z.boolean(),
  enrolled: z.boolean(),
  lastSeenAt: z.number().int().nullable(),
  version: z.string().nullable(),
  cpuPercent: z.number().nullable(),
  capacity: HostCapacitySchema.nullable(),
  sessions: z.number().int().nonnegative(),
});
export type Host = z.infer<typeof HostSchema>;
