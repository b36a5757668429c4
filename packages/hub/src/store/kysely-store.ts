import type { App, CameraConfig, DeviceKind, SightlineEvent } from '@sightline/protocol';
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { StoreConflictError, StoreNotFoundError, isUniqueViolation } from './errors.js';
import type { StoreLogger } from './logger.js';
import { runMigrations } from './migrate.js';
import { knownMigrations } from './migrations.js';
import {
  apiKeyFromColumns,
  apiKeyToColumns,
  cameraFromColumns,
  cameraToColumns,
  appFromColumns,
  appToColumns,
  deviceFromColumns,
  devicePatchToColumns,
  deviceToColumns,
  eventFromColumns,
  recordingSegmentFromColumns,
  recordingSegmentToColumns,
  snapshotFromColumns,
  userFromColumns,
  userToColumns,
} from './row-mapping.js';
import type { Database } from './schema.js';
import type {
  ApiKeyRow,
  CameraRow,
  CountBucket,
  CountQuery,
  CountRow,
  DeviceRow,
  EventQuery,
  EventRow,
  IngestResult,
  NewSnapshot,
  RecordingSegmentQuery,
  RecordingSegmentRow,
  SettingRow,
  SnapshotRef,
  Role,
  Scope,
  Store,
  UserRow,
  ZoneTransitionQuery,
  ZoneTransitionRow,
  EventBoxQuery,
} from './store.js';
import { MAX_SEGMENT_MS } from './store.js';

const BUCKET_MS: Record<CountBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Everything both backends do the same way, in Kysely. The subclasses add how to connect and the ingest fast
 * path, which is too hot for a query builder.
 */
export abstract class KyselyStore implements Store {
  abstract readonly backend: Store['backend'];

  protected constructor(
    protected readonly db: Kysely<Database>,
    protected readonly logger: StoreLogger | undefined,
  ) {}

  abstract ingest(deviceId: string, events: SightlineEvent[], snapshots: NewSnapshot[], ingestedAt: number): Promise<IngestResult>;

  async migrate(): Promise<void> {
    const db = this.db as unknown as Kysely<unknown>;
    await runMigrations(db, knownMigrations(this.backend), this.logger, await this.migrationTableSchema());
  }

  /** The schema that holds (or will hold) Kysely's migration table; undefined where schemas do not exist. */
  protected migrationTableSchema(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // users and keys

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createUser(user: UserRow): Promise<void> {
    await this.insertUnique(`user "${user.username}" (id ${user.id})`, () =>
      this.db.insertInto('users').values(userToColumns(user)).execute(),
    );
  }

  async getUserByName(username: string): Promise<UserRow | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && userFromColumns(row);
  }

  async listUsers(): Promise<UserRow[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(userFromColumns);
  }

  async createApiKey(key: ApiKeyRow): Promise<void> {
    await this.insertUnique(`API key "${key.id}"`, () =>
      this.db.insertInto('api_keys').values(apiKeyToColumns(key)).execute(),
    );
  }

  async getApiKey(id: string): Promise<ApiKeyRow | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && apiKeyFromColumns(row);
  }

  async listApiKeys(): Promise<ApiKeyRow[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(apiKeyFromColumns);
  }

  /** True when the key exists; a key revoked earlier keeps its first revocation time. */
  async setUserRole(id: string, role: Role, at: number): Promise<boolean> {
    const allowed: Scope[] = role === 'admin' ? ['read', 'operate', 'admin'] : role === 'operator' ? ['read', 'operate'] : ['read'];
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
        .where('user_id', '=', id)
        .where('scope', 'not in', allowed)
        .execute();
      return true;
    });
  }

  async deleteUser(id: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
        .where('user_id', '=', id)
        .execute();
      const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async touchApiKey(id: string, at: number): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  // devices

  async createDevice(device: DeviceRow): Promise<void> {
    await this.insertUnique(`device "${device.id}"`, () =>
      this.db.insertInto('devices').values(deviceToColumns(device)).execute(),
    );
  }

  async getDevice(id: string): Promise<DeviceRow | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row && deviceFromColumns(row);
  }

  async listDevices(): Promise<DeviceRow[]> {
    const rows = await this.db.selectFrom('devices').selectAll().orderBy('id').execute();
    return rows.map(deviceFromColumns);
  }

  /** Updates the fields present in the patch; a device that does not exist is left alone. */
  async updateDevice(id: string, patch: Partial<Omit<DeviceRow, 'id' | 'createdAt'>>): Promise<void> {
    const columns = devicePatchToColumns(patch);
    if (Object.keys(columns).length === 0) return;
    await this.db.updateTable('devices').set(columns).where('id', '=', id).execute();
  }

  async deleteDevice(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('cameras').where('device_id', '=', id).execute();
      const result = await trx.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  // apps

  async createApp(app: App): Promise<void> {
    await this.insertUnique(`app "${app.id}"`, () => this.db.insertInto('apps').values(appToColumns(app)).execute());
  }

  async getApp(id: string): Promise<App | undefined> {
    const row = await this.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    return row && appFromColumns(row);
  }

  async listApps(): Promise<App[]> {
    const rows = await this.db.selectFrom('apps').selectAll().orderBy('id').execute();
    return rows.map(appFromColumns);
  }

  async updateApp(app: App): Promise<boolean> {
    const { config, updated_at } = appToColumns(app);
    const result = await this.db.updateTable('apps').set({ config, updated_at }).where('id', '=', app.id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteApp(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('apps').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** One conditional UPDATE, so of two enrollments racing with the same token exactly one gets the device. */
  async consumeEnrollmentToken(tokenHash: string, now: number, kind?: DeviceKind): Promise<DeviceRow | undefined> {
    let update = this.db
      .updateTable('devices')
      .set({ enrollment_token_hash: null, enrollment_expires_at: null, enrolled_at: now })
      .where('enrollment_token_hash', '=', tokenHash)
      .where('enrollment_expires_at', '>', now);
    if (kind) update = update.where('kind', '=', kind);
    const row = await update
      .returningAll()
      .executeTakeFirst();
    return row && deviceFromColumns(row);
  }

  // cameras

  async createCamera(camera: CameraRow): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const version = await bumpConfigVersion(trx, camera.deviceId);
      if (version === undefined) {
        throw new StoreNotFoundError(`cannot create camera "${camera.id}": device "${camera.deviceId}" does not exist`);
      }
      const existing = await trx.selectFrom('cameras').select('device_id').where('id', '=', camera.id).executeTakeFirst();
      if (existing) throw cameraExists(camera.id, existing.device_id);
      await this.insertUnique(`camera "${camera.id}"`, () => trx.insertInto('cameras').values(cameraToColumns(camera)).execute());
      return version;
    });
  }

  async getCamera(id: string): Promise<CameraRow | undefined> {
    const row = await this.db.selectFrom('cameras').selectAll().where('id', '=', id).executeTakeFirst();
    return row && cameraFromColumns(row);
  }

  async listCameras(deviceId?: string): Promise<CameraRow[]> {
    let query = this.db.selectFrom('cameras').selectAll();
    if (deviceId !== undefined) query = query.where('device_id', '=', deviceId);
    const rows = await query.orderBy('id').execute();
    return rows.map(cameraFromColumns);
  }

  async updateCamera(id: string, config: CameraConfig, at: number): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('cameras')
        .set({ config: JSON.stringify(config), updated_at: at })
        .where('id', '=', id)
        .returning('device_id')
        .executeTakeFirst();
      return row && bumpConfigVersion(trx, row.device_id);
    });
  }

  async deleteCamera(id: string): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('cameras').where('id', '=', id).returning('device_id').executeTakeFirst();
      return row && bumpConfigVersion(trx, row.device_id);
    });
  }

  // events

  async queryEvents(query: EventQuery): Promise<{ events: EventRow[]; nextCursor: string | null }> {
    if (!Number.isInteger(query.limit) || query.limit < 1) {
      throw new RangeError(`queryEvents: limit must be a positive integer, got ${query.limit}`);
    }
    let select = this.db.selectFrom('events').select(['id', 'device_id', 'ingested_at', 'event']);
    if (query.cameraId !== undefined) select = select.where('camera_id', '=', query.cameraId);
    if (query.deviceId !== undefined) select = select.where('device_id', '=', query.deviceId);
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    if (query.label !== undefined) select = select.where('label', '=', query.label);
    if (query.zoneId !== undefined) select = select.where('zone_id', '=', query.zoneId);
    if (query.lineId !== undefined) select = select.where('line_id', '=', query.lineId);
    if (query.trackId !== undefined) select = select.where('track_id', '=', query.trackId);
    if (query.from !== undefined) select = select.where('wall_time', '>=', query.from);
    if (query.to !== undefined) select = select.where('wall_time', '<', query.to);
    if (query.cursor !== undefined) select = select.where('id', '<', query.cursor);
    // One row past the page tells whether another page exists.
    const rows = await select.orderBy('id', 'desc').limit(query.limit + 1).execute();
    const page = rows.slice(0, query.limit);
    const snapshots = await this.snapshotsOf(page.map((row) => row.id));
    const events = page.map((row) => eventFromColumns(row, snapshots.get(row.id) ?? []));
    const last = page[page.length - 1];
    return { events, nextCursor: rows.length > query.limit && last ? last.id : null };
  }

  async getEvent(id: string): Promise<EventRow | undefined> {
    const row = await this.db
      .selectFrom('events')
      .select(['id', 'device_id', 'ingested_at', 'event'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const snapshots = await this.snapshotsOf([id]);
    return eventFromColumns(row, snapshots.get(id) ?? []);
  }

  async counts(query: CountQuery): Promise<CountRow[]> {
    const bucketMs = sql.lit(BUCKET_MS[query.bucket]);
    // Integer division on a non-negative bigint floors on both backends.
    const bucketStart = sql<number>`(${sql.ref('wall_time')} / ${bucketMs}) * ${bucketMs}`;
    let select = this.db
      .selectFrom('events')
      .select((eb) => [
        bucketStart.as('bucket_start'),
        'camera_id',
        'type',
        'zone_id',
        'line_id',
        'direction',
        'label',
        eb.fn.countAll<number>().as('count'),
      ])
      .where('wall_time', '>=', query.from)
      .where('wall_time', '<', query.to);
    if (query.cameraId !== undefined) select = select.where('camera_id', '=', query.cameraId);
    if (query.zoneId !== undefined) select = select.where('zone_id', '=', query.zoneId);
    if (query.lineId !== undefined) select = select.where('line_id', '=', query.lineId);
    if (query.label !== undefined) select = select.where('label', '=', query.label);
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    const rows = await select
      .groupBy([bucketStart, 'camera_id', 'type', 'zone_id', 'line_id', 'direction', 'label'])
      .execute();
    const counts = rows.map(
      (row): CountRow => ({
        bucketStart: Number(row.bucket_start),
        cameraId: row.camera_id,
        type: row.type as CountRow['type'],
        zoneId: row.zone_id,
        lineId: row.line_id,
        direction: row.direction as CountRow['direction'],
        label: row.label,
        count: Number(row.count),
      }),
    );
    // Sorted here rather than in SQL: collations and null placement differ between the backends.
    return counts.sort(compareCountRows);
  }

  async getSnapshot(eventId: string, kind: 'crop' | 'frame'): Promise<SnapshotRef | undefined> {
    const row = await this.db
      .selectFrom('snapshots')
      .select(['kind', 'blob_key', 'width', 'height', 'bytes'])
      .where('event_id', '=', eventId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row && snapshotFromColumns(row);
  }

  async pruneEvents(before: number): Promise<{ events: number; blobKeys: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      const snapshots = await trx
        .deleteFrom('snapshots')
        .where('event_id', 'in', (eb) => eb.selectFrom('events').select('id').where('wall_time', '<', before))
        .returning('blob_key')
        .execute();
      const events = await trx.deleteFrom('events').where('wall_time', '<', before).executeTakeFirst();
      return { events: Number(events.numDeletedRows), blobKeys: snapshots.map((row) => row.blob_key) };
    });
  }

  async countEvents(): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // recordings

  async insertRecordingSegment(segment: RecordingSegmentRow): Promise<boolean> {
    const result = await this.db
      .insertInto('recording_segments')
      .values(recordingSegmentToColumns(segment))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async getRecordingSegment(id: string): Promise<RecordingSegmentRow | undefined> {
    const row = await this.db.selectFrom('recording_segments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && recordingSegmentFromColumns(row);
  }

  async recordingSegmentsBetween(cameraId: string, from: number, to: number, limit: number): Promise<RecordingSegmentRow[]> {
    const rows = await this.overlapping(cameraId, from, to).selectAll().orderBy('started_at').orderBy('id').limit(limit).execute();
    return rows.map(recordingSegmentFromColumns);
  }

  async countRecordingSegmentsBetween(cameraId: string, from: number, to: number): Promise<number> {
    const row = await this.overlapping(cameraId, from, to)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async recordingSpansBetween(cameraId: string, from: number, to: number): Promise<{ startedAt: number; endedAt: number }[]> {
    const rows = await this.overlapping(cameraId, from, to).select(['started_at', 'ended_at']).orderBy('started_at').execute();
    return rows.map((row) => ({ startedAt: Number(row.started_at), endedAt: Number(row.ended_at) }));
  }

  async oldestRecordingSegments(query: RecordingSegmentQuery): Promise<RecordingSegmentRow[]> {
    let select = this.db.selectFrom('recording_segments').selectAll();
    if (query.cameraId !== undefined) select = select.where('camera_id', '=', query.cameraId);
    if (query.endedBefore !== undefined) {
      // started_at bounds the walk along the (camera_id, started_at) index; ended_at decides.
      select = select.where('started_at', '<', query.endedBefore).where('ended_at', '<', query.endedBefore);
    }
    const rows = await select.orderBy('started_at').orderBy('id').limit(query.limit).execute();
    return rows.map(recordingSegmentFromColumns);
  }

  async deleteRecordingSegments(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db.deleteFrom('recording_segments').where('id', 'in', ids).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async recordingCameraIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('recording_segments').select('camera_id').distinct().execute();
    return rows.map((row) => row.camera_id).sort();
  }

  async recordingBytes(): Promise<number> {
    const row = await this.db
      .selectFrom('recording_segments')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.val(0)).as('total'))
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  // analytics and settings

  async zoneTransitions(query: ZoneTransitionQuery, limit: number): Promise<ZoneTransitionRow[]> {
    let select = this.db
      .selectFrom('events')
      .select(['camera_id', 'zone_id', 'label', 'type', 'wall_time'])
      .where('type', 'in', ['zone.enter', 'zone.exit'])
      .where('wall_time', '>=', query.from)
      .where('wall_time', '<', query.to);
    if (query.cameraId !== undefined) select = select.where('camera_id', '=', query.cameraId);
    if (query.zoneId !== undefined) select = select.where('zone_id', '=', query.zoneId);
    if (query.label !== undefined) select = select.where('label', '=', query.label);
    const rows = await select.orderBy('wall_time').orderBy('id').limit(limit).execute();
    return rows.map((row) => ({
      cameraId: row.camera_id,
      zoneId: row.zone_id ?? '',
      label: row.label,
      type: row.type as ZoneTransitionRow['type'],
      wallTime: Number(row.wall_time),
    }));
  }

  async eventBoxes(query: EventBoxQuery, limit: number): Promise<[number, number, number, number][]> {
    let select = this.db
      .selectFrom('events')
      .select('bbox')
      .where('camera_id', '=', query.cameraId)
      .where('wall_time', '>=', query.from)
      .where('wall_time', '<', query.to);
    if (query.label !== undefined) select = select.where('label', '=', query.label);
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    const rows = await select.orderBy('wall_time', 'desc').limit(limit).execute();
    return rows.map((row) => JSON.parse(row.bbox) as [number, number, number, number]);
  }

  async latestFrameSnapshot(cameraId: string): Promise<{ eventId: string; wallTime: number; snapshot: SnapshotRef } | undefined> {
    const row = await this.db
      .selectFrom('events')
      .innerJoin('snapshots', 'snapshots.event_id', 'events.id')
      .select(['events.id as id', 'events.wall_time as wall_time', 'snapshots.kind', 'snapshots.blob_key', 'snapshots.width', 'snapshots.height', 'snapshots.bytes'])
      .where('events.camera_id', '=', cameraId)
      .where('snapshots.kind', '=', 'frame')
      .orderBy('events.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { eventId: row.id, wallTime: Number(row.wall_time), snapshot: snapshotFromColumns(row) };
  }

  async getSettings(): Promise<SettingRow[]> {
    const rows = await this.db.selectFrom('hub_settings').selectAll().orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, value: JSON.parse(row.value) as unknown, updatedAt: Number(row.updated_at), updatedBy: row.updated_by }));
  }

  async putSettings(values: Record<string, unknown>, at: number, by: string | null): Promise<void> {
    const rows = Object.entries(values).map(([name, value]) => ({ name, value: JSON.stringify(value), updated_at: at, updated_by: by }));
    if (rows.length === 0) return;
    await this.db
      .insertInto('hub_settings')
      .values(rows)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
        })),
      )
      .execute();
  }

  /**
   * Segments of a camera overlapping [from, to). A segment is at most MAX_SEGMENT_MS long, so the ones that overlap
   * `from` started after from − MAX_SEGMENT_MS: that lower bound keeps the scan on a short stretch of the index.
   */
  private overlapping(cameraId: string, from: number, to: number) {
    return this.db
      .selectFrom('recording_segments')
      .where('camera_id', '=', cameraId)
      .where('started_at', '>', from - MAX_SEGMENT_MS)
      .where('started_at', '<', to)
      .where('ended_at', '>', from);
  }

  private async snapshotsOf(eventIds: string[]): Promise<Map<string, SnapshotRef[]>> {
    const byEvent = new Map<string, SnapshotRef[]>();
    if (eventIds.length === 0) return byEvent;
    const rows = await this.db
      .selectFrom('snapshots')
      .select(['event_id', 'kind', 'blob_key', 'width', 'height', 'bytes'])
      .where('event_id', 'in', eventIds)
      .orderBy('event_id')
      .orderBy('kind')
      .execute();
    for (const row of rows) {
      const list = byEvent.get(row.event_id) ?? [];
      list.push(snapshotFromColumns(row));
      byEvent.set(row.event_id, list);
    }
    return byEvent;
  }

  /** Runs an insert, turning a duplicate key into a StoreConflictError that names what already exists. */
  private async insertUnique(what: string, insert: () => Promise<unknown>): Promise<void> {
    try {
      await insert();
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflictError(`${what} already exists`);
      throw err;
    }
  }
}

/** Increments the device's configVersion; undefined when the device does not exist. */
async function bumpConfigVersion(trx: Transaction<Database>, deviceId: string): Promise<number | undefined> {
  const row = await trx
    .updateTable('devices')
    .set((eb) => ({ config_version: eb('config_version', '+', 1) }))
    .where('id', '=', deviceId)
    .returning('config_version')
    .executeTakeFirst();
  return row && Number(row.config_version);
}

function cameraExists(cameraId: string, deviceId: string): StoreConflictError {
  return new StoreConflictError(`camera "${cameraId}" already exists (on device "${deviceId}")`);
}

function compareCountRows(a: CountRow, b: CountRow): number {
  return (
    a.bucketStart - b.bucketStart ||
    compareText(a.cameraId, b.cameraId) ||
    compareText(a.type, b.type) ||
    compareText(a.zoneId, b.zoneId) ||
    compareText(a.lineId, b.lineId) ||
    compareText(a.direction, b.direction) ||
    compareText(a.label, b.label)
  );
}

/** Code-unit order with nulls first, the same on every machine. */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
