import type { App, CameraConfig, ConfigApplied, DeviceKind, Heartbeat, SightlineEvent } from '@sightline/protocol';

/**
 * The hub's persistence, one implementation per backend (SQLite via better-sqlite3, PostgreSQL via pg), both
 * built on Kysely for queries plus a backend-specific fast path for event ingest.
 * Every method is safe to call concurrently; ingest is idempotent on event id.
 */

export type Scope = 'read' | 'operate' | 'admin';
export type Role = 'viewer' | 'operator' | 'admin';

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: number;
}

export interface ApiKeyRow {
  id: string;
  name: string;
  scope: Scope;
  /** sha256 hex of the secret part; the secret itself is never stored. */
  secretHash: string;
  userId: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface DeviceRow {
  id: string;
  name: string | null;
  createdAt: number;
  /** sha256 hex of the one-time enrollment token while it is unused; null once enrolled. */
  enrollmentTokenHash: string | null;
  enrollmentExpiresAt: number | null;
  enrolledAt: number | null;
  /** sha256 of the device's generated MQTT password (192 random bits, so a fast hash suffices), "sha256$<hex>". */
  mqttPasswordHash: string | null;
  /** Version of the configuration the hub wants the device to run; bumped on every camera change. */
  configVersion: number;
  appliedVersion: number | null;
  appliedOk: boolean | null;
  appliedErrors: ConfigApplied['errors'];
  online: boolean;
  lastSeenAt: number | null;
  lastHeartbeat: Heartbeat | null;
  /** Events the device's outbox dropped over its disk budget (as last reported). */
  outboxDropped: number;
  /** `edge` runs cameras; `host` runs cloud-streaming sessions. It never changes. */
  kind: DeviceKind;
}

export interface CameraRow {
  id: string;
  deviceId: string;
  config: CameraConfig;
  createdAt: number;
  updatedAt: number;
}

/** One stored event; `event` is the protocol object as the edge sent it. */
export interface EventRow {
  event: SightlineEvent;
  deviceId: string;
  ingestedAt: number;
  snapshots: SnapshotRef[];
}

export interface SnapshotRef {
  kind: 'crop' | 'frame';
  blobKey: string;
  width: number;
  height: number;
  bytes: number;
}

export interface NewSnapshot extends SnapshotRef {
  eventId: string;
}

export interface EventQuery {
  cameraId?: string;
  deviceId?: string;
  type?: SightlineEvent['type'];
  label?: string;
  zoneId?: string;
  lineId?: string;
  trackId?: number;
  /** Unix ms on event wallTime, inclusive. */
  from?: number;
  /** Unix ms on event wallTime, exclusive. */
  to?: number;
  /** Newest first; the cursor is the id of the last event of the previous page (UUIDv7 sorts by time). */
  cursor?: string;
  limit: number;
}

export type CountBucket = 'minute' | 'hour' | 'day';

export interface CountQuery {
  cameraId?: string;
  zoneId?: string;
  lineId?: string;
  label?: string;
  type?: SightlineEvent['type'];
  from: number;
  to: number;
  bucket: CountBucket;
}

export interface CountRow {
  /** Bucket start, Unix ms (UTC). */
  bucketStart: number;
  cameraId: string;
  type: SightlineEvent['type'];
  zoneId: string | null;
  lineId: string | null;
  direction: 'in' | 'out' | null;
  label: string;
  count: number;
}

/** One stored recording segment; `fileKey` is relative to the hub's recordings directory. */
export interface RecordingSegmentRow {
  id: string;
  cameraId: string;
  deviceId: string;
  /** Wall-clock ms of the first frame. */
  startedAt: number;
  /** Wall-clock ms just after the last frame. */
  endedAt: number;
  bytes: number;
  fileKey: string;
  createdAt: number;
}

/** Which segments to list, oldest (by startedAt) first. */
export interface RecordingSegmentQuery {
  cameraId?: string;
  /** Only segments that end before this (retention by age). */
  endedBefore?: number;
  limit: number;
}

export interface IngestResult {
  /** Events newly inserted by this call. */
  inserted: number;
  /** Events whose id was already stored (redeliveries). */
  duplicates: number;
  /** Ids of the events newly inserted by this call, in input order (live subscribers get only these). */
  insertedIds: string[];
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** Runs pending migrations; throws SchemaTooNewError when the database knows migrations this binary does not. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // users and keys
  countUsers(): Promise<number>;
  createUser(user: UserRow): Promise<void>;
  getUserByName(username: string): Promise<UserRow | undefined>;
  listUsers(): Promise<UserRow[]>;
  /** False when there is no such user. Keys and sessions of theirs with a scope the new role does not allow are revoked. */
  setUserRole(id: string, role: Role, at: number): Promise<boolean>;
  /** Deletes the user and revokes every key and sign-in session of theirs, in one transaction. */
  deleteUser(id: string, at: number): Promise<boolean>;
  createApiKey(key: ApiKeyRow): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRow | undefined>;
  listApiKeys(): Promise<ApiKeyRow[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;
  touchApiKey(id: string, at: number): Promise<void>;

  // devices
  createDevice(device: DeviceRow): Promise<void>;
  getDevice(id: string): Promise<DeviceRow | undefined>;
  listDevices(): Promise<DeviceRow[]>;
  updateDevice(id: string, patch: Partial<Omit<DeviceRow, 'id' | 'createdAt'>>): Promise<void>;
  /** Deletes the device, its cameras, and keeps its events. */
  deleteDevice(id: string): Promise<boolean>;
  /** Atomically consumes an unexpired enrollment token: returns the device and clears the token, or undefined. */
  /** `kind`: only a device of that kind (an edge cannot take a host's token and the reverse). */
  consumeEnrollmentToken(tokenHash: string, now: number, kind?: DeviceKind): Promise<DeviceRow | undefined>;

  // cloud-streaming apps (the catalogue)
  createApp(app: App): Promise<void>;
  getApp(id: string): Promise<App | undefined>;
  listApps(): Promise<App[]>;
  /** Replaces the stored entry; false when there is no such app. */
  updateApp(app: App): Promise<boolean>;
  deleteApp(id: string): Promise<boolean>;

  // cameras (a camera belongs to one device; changing cameras bumps that device's configVersion in the same transaction)
  createCamera(camera: CameraRow): Promise<number>;
  getCamera(id: string): Promise<CameraRow | undefined>;
  listCameras(deviceId?: string): Promise<CameraRow[]>;
  /** Returns the device's new configVersion. */
  updateCamera(id: string, config: CameraConfig, at: number): Promise<number | undefined>;
  /** Returns the device's new configVersion. */
  deleteCamera(id: string): Promise<number | undefined>;

  // events
  /** Inserts events and snapshot refs in one transaction, ignoring ids already stored. Durable when it resolves. */
  ingest(deviceId: string, events: SightlineEvent[], snapshots: NewSnapshot[], ingestedAt: number): Promise<IngestResult>;
  queryEvents(query: EventQuery): Promise<{ events: EventRow[]; nextCursor: string | null }>;
  getEvent(id: string): Promise<EventRow | undefined>;
  counts(query: CountQuery): Promise<CountRow[]>;
  getSnapshot(eventId: string, kind: 'crop' | 'frame'): Promise<SnapshotRef | undefined>;
  /** Deletes events (and returns the blob keys of their snapshots) with wallTime older than `before`. */
  pruneEvents(before: number): Promise<{ events: number; blobKeys: string[] }>;
  countEvents(): Promise<number>;

  // recordings
  /** Inserts the segment unless a segment with its id exists; true when this call inserted it. */
  insertRecordingSegment(segment: RecordingSegmentRow): Promise<boolean>;
  getRecordingSegment(id: string): Promise<RecordingSegmentRow | undefined>;
  /** One camera's segments overlapping [from, to), oldest first, at most `limit`. */
  recordingSegmentsBetween(cameraId: string, from: number, to: number, limit: number): Promise<RecordingSegmentRow[]>;
  /** How many of one camera's segments overlap [from, to). */
  countRecordingSegmentsBetween(cameraId: string, from: number, to: number): Promise<number>;
  /** The [startedAt, endedAt) spans of every segment of a camera overlapping [from, to), oldest first. */
  recordingSpansBetween(cameraId: string, from: number, to: number): Promise<{ startedAt: number; endedAt: number }[]>;
  oldestRecordingSegments(query: RecordingSegmentQuery): Promise<RecordingSegmentRow[]>;
  /** Deletes the segments' rows (not their files); returns how many existed. */
  deleteRecordingSegments(ids: string[]): Promise<number>;
  /** Every camera id that has segments, cameras deleted since included. */
  recordingCameraIds(): Promise<string[]>;
  /** Bytes of all stored segments. */
  recordingBytes(): Promise<number>;

  // analytics (occupancy, heatmap) and hub settings
  /** Zone entries and exits with wallTime in [from, to), oldest first (wallTime, then id), at most `limit`. */
  zoneTransitions(query: ZoneTransitionQuery, limit: number): Promise<ZoneTransitionRow[]>;
  /** The normalized boxes of one camera's events with wallTime in [from, to), newest first, at most `limit`. */
  eventBoxes(query: EventBoxQuery, limit: number): Promise<[number, number, number, number][]>;
  /** The newest event of a camera that has a frame snapshot, and that snapshot. */
  latestFrameSnapshot(cameraId: string): Promise<{ eventId: string; wallTime: number; snapshot: SnapshotRef } | undefined>;
  /** Every stored hub setting, by name. */
  getSettings(): Promise<SettingRow[]>;
  /** Writes the given settings (JSON values) in one transaction. */
  putSettings(values: Record<string, unknown>, at: number, by: string | null): Promise<void>;
}

export interface ZoneTransitionQuery {
  cameraId?: string;
  zoneId?: string;
  label?: string;
  from: number;
  to: number;
}

export interface ZoneTransitionRow {
  cameraId: string;
  zoneId: string;
  label: string;
  type: 'zone.enter' | 'zone.exit';
  wallTime: number;
}

export interface EventBoxQuery {
  cameraId: string;
  from: number;
  to: number;
  label?: string;
  type?: SightlineEvent['type'];
}

export interface SettingRow {
  name: string;
  value: unknown;
  updatedAt: number;
  updatedBy: string | null;
}

/** The longest segment the store has to look back for when listing a range (the protocol allows 10 minutes). */
export const MAX_SEGMENT_MS = 600_000;

export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: string,
    readonly binaryVersion: string,
  ) {
    super(
      `the database schema is newer than this hub: it has migration "${databaseVersion}", this hub knows up to "${binaryVersion}". ` +
        'Run a hub at least as new as the one that last migrated this database.',
    );
    this.name = 'SchemaTooNewError';
  }
}
