import type { EndReason, GamepadKeyMap, HostSessionStats, InputProfile, StreamSession, StreamSessionState } from '@sightline/protocol';

/**
 * Checks a cloud-streaming session that came from the hub's state stream against the protocol's StreamSessionSchema,
 * by hand, so that the browser bundle does not carry zod (the test holds the two to the same verdicts). Returns a
 * fresh object with only the known fields, or the reason it was refused.
 */
export type StreamSessionCheck = { ok: true; session: StreamSession } | { ok: false; error: string };

const STATES: readonly StreamSessionState[] = ['queued', 'starting', 'running', 'ending', 'ended'];
const PROFILES: readonly InputProfile[] = ['keyboard-mouse', 'pointer-lock', 'gamepad'];
const END_REASONS: readonly EndReason[] = [
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
];
const RECORDING_STATES: readonly StreamSession['recording'][] = ['off', 'recording', 'ready', 'failed'];
/** What zod's `.uuid()` accepts: RFC 9562 versions 1-8 with the variant bits, or the nil and max UUIDs. */
const UUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
const KEY_CODE = /^[A-Za-z0-9]{1,32}$/;
const BUTTON = /^([0-9]|1[0-6])$/;
const AXIS = /^[0-3][+-]$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isNullableInt = (value: unknown): value is number | null => value === null || isInt(value);
const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T => typeof value === 'string' && (list as readonly string[]).includes(value);

function checkKeyMap(value: unknown): GamepadKeyMap | string {
  if (!isRecord(value)) return 'gamepadKeys: an object or null';
  for (const key of Object.keys(value)) if (key !== 'buttons' && key !== 'axes') return `gamepadKeys.${key}: not allowed`;
  const map: GamepadKeyMap = { buttons: {}, axes: {} };
  for (const [field, pattern] of [['buttons', BUTTON], ['axes', AXIS]] as const) {
    const entries = value[field] ?? {};
    if (!isRecord(entries)) return `gamepadKeys.${field}: an object`;
    for (const [key, code] of Object.entries(entries)) {
      if (!pattern.test(key)) return `gamepadKeys.${field}.${key}: not a ${field === 'buttons' ? 'button (0-16)' : 'axis direction (0+ .. 3-)'}`;
      if (typeof code !== 'string' || !KEY_CODE.test(code)) return `gamepadKeys.${field}.${key}: a KeyboardEvent.code`;
      map[field][key] = code;
    }
  }
  return map;
}

function checkHostStats(value: unknown): HostSessionStats | string {
  if (!isRecord(value)) return 'hostStats: an object or null';
  const { fps, bitrateKbps, targetBitrateKbps, cpuPercent, captureLatencyMs, keyframes } = value;
  const nonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (![fps, bitrateKbps, targetBitrateKbps, cpuPercent, captureLatencyMs].every(nonNegative)) return 'hostStats: non-negative numbers';
  if (!isInt(keyframes) || keyframes < 0) return 'hostStats.keyframes: a non-negative integer';
  return {
    fps: fps as number,
    bitrateKbps: bitrateKbps as number,
    targetBitrateKbps: targetBitrateKbps as number,
    cpuPercent: cpuPercent as number,
    captureLatencyMs: captureLatencyMs as number,
    keyframes,
  };
}

export function checkStreamSession(value: unknown): StreamSessionCheck {
  if (!isRecord(value)) return { ok: false, error: 'not an object' };
  const v = value;
  const fail = (error: string): StreamSessionCheck => ({ ok: false, error });
  if (typeof v.id !== 'string' || !UUID.test(v.id)) return fail('id: a UUID');
  if (typeof v.appId !== 'string' || typeof v.appName !== 'string') return fail('appId, appName: strings');
  if (!isOneOf(STATES, v.state)) return fail(`state: one of ${STATES.join(', ')}`);
  if (!(v.queuePosition === null || (isInt(v.queuePosition) && v.queuePosition > 0))) return fail('queuePosition: a positive integer or null');
  if (!isNullableString(v.hostId)) return fail('hostId: a string or null');
  if (!(v.endReason === null || isOneOf(END_REASONS, v.endReason))) return fail('endReason: a known reason or null');
  if (!isNullableString(v.message)) return fail('message: a string or null');
  if (!isInt(v.createdAt)) return fail('createdAt: an integer');
  if (!isNullableInt(v.startedAt) || !isNullableInt(v.endedAt)) return fail('startedAt, endedAt: integers or null');
  if (typeof v.whepUrl !== 'string') return fail('whepUrl: a string');
  if (!isInt(v.width) || !isInt(v.height) || !isInt(v.fps)) return fail('width, height, fps: integers');
  if (!isOneOf(PROFILES, v.inputProfile)) return fail(`inputProfile: one of ${PROFILES.join(', ')}`);
  let gamepadKeys: GamepadKeyMap | null = null;
  if (v.gamepadKeys !== null) {
    const map = checkKeyMap(v.gamepadKeys);
    if (typeof map === 'string') return fail(map);
    gamepadKeys = map;
  }
  if (!isInt(v.reconnectGraceMs) || v.reconnectGraceMs < 0) return fail('reconnectGraceMs: a non-negative integer');
  if (!isInt(v.spectators) || v.spectators < 0) return fail('spectators: a non-negative integer');
  // Absent from hubs before it: 'off', as the schema's default.
  if (v.recording !== undefined && !isOneOf(RECORDING_STATES, v.recording)) return fail(`recording: one of ${RECORDING_STATES.join(', ')}`);
  // Absent from hubs before it: null, as the schema's default.
  let hostStats: HostSessionStats | null = null;
  if (v.hostStats !== undefined && v.hostStats !== null) {
    const stats = checkHostStats(v.hostStats);
    if (typeof stats === 'string') return fail(stats);
    hostStats = stats;
  }
  return {
    ok: true,
    session: {
      id: v.id,
      appId: v.appId,
      appName: v.appName,
      state: v.state,
      queuePosition: v.queuePosition,
      hostId: v.hostId,
      endReason: v.endReason,
      message: v.message,
      createdAt: v.createdAt,
      startedAt: v.startedAt,
      endedAt: v.endedAt,
      whepUrl: v.whepUrl,
      width: v.width,
      height: v.height,
      fps: v.fps,
      inputProfile: v.inputProfile,
      gamepadKeys,
      reconnectGraceMs: v.reconnectGraceMs,
      spectators: v.spectators,
      hostStats,
      recording: v.recording ?? 'off',
    },
  };
}

/** Parses the data of one `session` server-sent event. */
export function parseStreamSession(data: string): StreamSessionCheck {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  return checkStreamSession(value);
}
