import { AppSchema, type App, type CameraConfig, type Heartbeat, type SightlineEvent } from '@sightline/protocol';
import type { Insertable, Selectable } from 'kysely';
import type { ApiKeysTable, AppsTable, CamerasTable, DevicesTable, EventsTable, RecordingSegmentsTable, SnapshotsTable, UsersTable } from './schema.js';
import type { ApiKeyRow, CameraRow, DeviceRow, EventRow, RecordingSegmentRow, Role, Scope, SnapshotRef, UserRow } from './store.js';

/** Conversions between the store's rows and the database's columns; JSON columns hold what the store wrote. */

const toFlag = (value: boolean): number => (value ? 1 : 0);
const fromFlag = (value: number | null): boolean | null => (value === null ? null : value !== 0);

export function userToColumns(user: UserRow): Insertable<UsersTable> {
  return {
    id: user.id,
    username: user.username,
    password_hash: user.passwordHash,
    role: user.role,
    created_at: user.createdAt,
  };
}

export function userFromColumns(row: Selectable<UsersTable>): UserRow {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    role: row.role as Role,
    createdAt: row.created_at,
  };
}

export function apiKeyToColumns(key: ApiKeyRow): Insertable<ApiKeysTable> {
  return {
    id: key.id,
    name: key.name,
    scope: key.scope,
    secret_hash: key.secretHash,
    user_id: key.userId,
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
    last_used_at: key.lastUsedAt,
  };
}

export function apiKeyFromColumns(row: Selectable<ApiKeysTable>): ApiKeyRow {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as Scope,
    secretHash: row.secret_hash,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function deviceToColumns(device: DeviceRow): Insertable<DevicesTable> {
  return {
    id: device.id,
    name: device.name,
    created_at: device.createdAt,
    enrollment_token_hash: device.enrollmentTokenHash,
    enrollment_expires_at: device.enrollmentExpiresAt,
    enrolled_at: device.enrolledAt,
    mqtt_password_hash: device.mqttPasswordHash,
    config_version: device.configVersion,
    applied_version: device.appliedVersion,
    applied_ok: device.appliedOk === null ? null : toFlag(device.appliedOk),
    applied_errors: JSON.stringify(device.appliedErrors),
    online: toFlag(device.online),
    last_seen_at: device.lastSeenAt,
    last_heartbeat: device.lastHeartbeat === null ? null : JSON.stringify(device.lastHeartbeat),
    outbox_dropped: device.outboxDropped,
    kind: device.kind,
  };
}

/** Only the fields present in the patch become columns, so an update leaves the others as they are. */
export function devicePatchToColumns(patch: Partial<Omit<DeviceRow, 'id' | 'createdAt'>>): Partial<DevicesTable> {
  const columns: Partial<DevicesTable> = {};
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.enrollmentTokenHash !== undefined) columns.enrollment_token_hash = patch.enrollmentTokenHash;
  if (patch.enrollmentExpiresAt !== undefined) columns.enrollment_expires_at = patch.enrollmentExpiresAt;
  if (patch.enrolledAt !== undefined) columns.enrolled_at = patch.enrolledAt;
  if (patch.mqttPasswordHash !== undefined) columns.mqtt_password_hash = patch.mqttPasswordHash;
  if (patch.configVersion !== undefined) columns.config_version = patch.configVersion;
  if (patch.appliedVersion !== undefined) columns.applied_version = patch.appliedVersion;
  if (patch.appliedOk !== undefined) columns.applied_ok = patch.appliedOk === null ? null : toFlag(patch.appliedOk);
  if (patch.appliedErrors !== undefined) columns.applied_errors = JSON.stringify(patch.appliedErrors);
  if (patch.online !== undefined) columns.online = toFlag(patch.online);
  if (patch.lastSeenAt !== undefined) columns.last_seen_at = patch.lastSeenAt;
  if (patch.lastHeartbeat !== undefined) {
    columns.last_heartbeat = patch.lastHeartbeat === null ? null : JSON.stringify(patch.lastHeartbeat);
  }
  if (patch.outboxDropped !== undefined) columns.outbox_dropped = patch.outboxDropped;
  return columns;
}

export function deviceFromColumns(row: Selectable<DevicesTable>): DeviceRow {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    enrollmentTokenHash: row.enrollment_token_hash,
    enrollmentExpiresAt: row.enrollment_expires_at,
    enrolledAt: row.enrolled_at,
    mqttPasswordHash: row.mqtt_password_hash,
    configVersion: row.config_version,
    appliedVersion: row.applied_version,
    appliedOk: fromFlag(row.applied_ok),
    appliedErrors: JSON.parse(row.applied_errors) as DeviceRow['appliedErrors'],
    online: row.online !== 0,
    lastSeenAt: row.last_seen_at,
    lastHeartbeat: row.last_heartbeat === null ? null : (JSON.parse(row.last_heartbeat) as Heartbeat),
    outboxDropped: row.outbox_dropped,
    kind: row.kind === 'host' ? 'host' : 'edge',
  };
}

export function cameraToColumns(camera: CameraRow): Insertable<CamerasTable> {
  return {
    id: camera.id,
    device_id: camera.deviceId,
    config: JSON.stringify(camera.config),
    created_at: camera.createdAt,
    updated_at: camera.updatedAt,
  };
}

export function cameraFromColumns(row: Selectable<CamerasTable>): CameraRow {
  return {
    id: row.id,
    deviceId: row.device_id,
    config: JSON.parse(row.config) as CameraConfig,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The event's columns in schema.EVENT_COLUMNS order, for the ingest fast paths. */
export function eventToValues(deviceId: string, event: SightlineEvent, ingestedAt: number): EventValues {
  return [
    event.id,
    deviceId,
    event.cameraId,
    event.type,
    event.wallTime,
    event.sourceTs,
    event.frameIndex,
    event.trackId,
    event.classId,
    event.label,
    event.confidence,
    'zoneId' in event ? event.zoneId : null,
    'lineId' in event ? event.lineId : null,
    'direction' in event ? event.direction : null,
    'dwell' in event ? event.dwell : null,
    JSON.stringify(event.bbox),
    ingestedAt,
    JSON.stringify(event),
  ];
}

export type EventValues = [
  id: string,
  deviceId: string,
  cameraId: string,
  type: string,
  wallTime: number,
  sourceTs: number,
  frameIndex: number,
  trackId: number,
  classId: number,
  label: string,
  confidence: number,
  zoneId: string | null,
  lineId: string | null,
  direction: string | null,
  dwell: number | null,
  bbox: string,
  ingestedAt: number,
  event: string,
];

export function eventFromColumns(
  row: Pick<EventsTable, 'event' | 'device_id' | 'ingested_at'>,
  snapshots: SnapshotRef[],
): EventRow {
  return {
    event: JSON.parse(row.event) as SightlineEvent,
    deviceId: row.device_id,
    ingestedAt: row.ingested_at,
    snapshots,
  };
}

export function snapshotFromColumns(row: Pick<SnapshotsTable, 'kind' | 'blob_key' | 'width' | 'height' | 'bytes'>): SnapshotRef {
  return {
    kind: row.kind as SnapshotRef['kind'],
    blobKey: row.blob_key,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
  };
}

export function recordingSegmentToColumns(segment: RecordingSegmentRow): Insertable<RecordingSegmentsTable> {
  return {
    id: segment.id,
    camera_id: segment.cameraId,
    device_id: segment.deviceId,
    started_at: segment.startedAt,
    ended_at: segment.endedAt,
    bytes: segment.bytes,
    file_key: segment.fileKey,
    created_at: segment.createdAt,
  };
}

export function recordingSegmentFromColumns(row: Selectable<RecordingSegmentsTable>): RecordingSegmentRow {
  return {
    id: row.id,
    cameraId: row.camera_id,
    deviceId: row.device_id,
    startedAt: Number(row.started_at),
    endedAt: Number(row.ended_at),
    bytes: Number(row.bytes),
    fileKey: row.file_key,
    createdAt: Number(row.created_at),
  };
}

export function appToColumns(app: App): Insertable<AppsTable> {
  const { id, createdAt, updatedAt, ...config } = app;
  return { id, config: JSON.stringify(config), created_at: createdAt, updated_at: updatedAt };
}

/** Entries written by an older hub get today's defaults for fields added since. */
export function appFromColumns(row: Selectable<AppsTable>): App {
  return AppSchema.parse({ ...(JSON.parse(row.config) as object), id: row.id, createdAt: row.created_at, updatedAt: row.updated_at });
}
