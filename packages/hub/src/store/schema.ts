/**
 * Table shapes as Kysely sees them. Timestamps are Unix ms (bigint columns, read back as JS numbers);
 * booleans are 0/1 integers and JSON is text, so both backends store the same values.
 */
export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  scope: string;
  secret_hash: string;
  user_id: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface DevicesTable {
  id: string;
  name: string | null;
  created_at: number;
  enrollment_token_hash: string | null;
  enrollment_expires_at: number | null;
  enrolled_at: number | null;
  mqtt_password_hash: string | null;
  config_version: number;
  applied_version: number | null;
  applied_ok: number | null;
  applied_errors: string;
  online: number;
  last_seen_at: number | null;
  last_heartbeat: string | null;
  outbox_dropped: number;
  kind: string;
}

export interface AppsTable {
  id: string;
  /** The app's catalogue entry (protocol App without id and times), JSON. */
  config: string;
  created_at: number;
  updated_at: number;
}

export interface CamerasTable {
  id: string;
  device_id: string;
  config: string;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  id: string;
  device_id: string;
  camera_id: string;
  type: string;
  wall_time: number;
  source_ts: number;
  frame_index: number;
  track_id: number;
  class_id: number;
  label: string;
  confidence: number;
  zone_id: string | null;
  line_id: string | null;
  direction: string | null;
  dwell: number | null;
  bbox: string;
  ingested_at: number;
  event: string;
}

export interface SnapshotsTable {
  event_id: string;
  kind: string;
  blob_key: string;
  width: number;
  height: number;
  bytes: number;
}

export interface RecordingSegmentsTable {
  id: string;
  camera_id: string;
  device_id: string;
  started_at: number;
  ended_at: number;
  bytes: number;
  /** Where the file is, relative to the hub's recordings directory. */
  file_key: string;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  devices: DevicesTable;
  apps: AppsTable;
  cameras: CamerasTable;
  events: EventsTable;
  snapshots: SnapshotsTable;
  recording_segments: RecordingSegmentsTable;
  hub_settings: HubSettingsTable;
}

/** One run-time setting; `value` is JSON. */
export interface HubSettingsTable {
  name: string;
  value: string;
  updated_at: number;
  updated_by: string | null;
}

/** The order of the columns the ingest fast paths bind, shared so both backends insert the same shape. */
export const EVENT_COLUMNS = [
  'id',
  'device_id',
  'camera_id',
  'type',
  'wall_time',
  'source_ts',
  'frame_index',
  'track_id',
  'class_id',
  'label',
  'confidence',
  'zone_id',
  'line_id',
  'direction',
  'dwell',
  'bbox',
  'ingested_at',
  'event',
] as const satisfies readonly (keyof EventsTable)[];
