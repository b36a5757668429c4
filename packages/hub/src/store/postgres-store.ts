import type { SightlineEvent } from '@sightline/protocol';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.js';
import type { StoreLogger } from './logger.js';
import { eventToValues } from './row-mapping.js';
import type { Database } from './schema.js';
import type { IngestResult, NewSnapshot } from './store.js';

const INT8_OID = 20;

/**
 * int8 (bigint columns, count(*)) arrives as a string by default because it can exceed 2^53. The store's
 * int8 values are Unix ms, counts and versions, all far below that, so they become numbers. Set per pool,
 * not globally, so other pg users in the process are unaffected.
 */
const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** PostgreSQL through a pg Pool. */
export class PostgresStore extends KyselyStore {
  readonly backend = 'postgres';

  private constructor(db: Kysely<Database>, logger: StoreLogger | undefined) {
    super(db, logger);
  }

  static open(connectionString: string, logger?: StoreLogger): PostgresStore {
    const pool = new pg.Pool({ connectionString, types: storeTypes, max: 10 });
    // An idle client losing its connection (server restart) emits here; without a listener it would crash the hub.
    pool.on('error', (err) => logger?.warn(`store: idle PostgreSQL connection failed: ${err.message}`));
    return new PostgresStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), logger);
  }

  /** The first schema on the search_path, where unqualified tables, Kysely's migration table included, go. */
  protected override async migrationTableSchema(): Promise<string> {
    const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(this.db);
    const schema = rows[0]?.schema;
    if (!schema) throw new Error('store: no schema on the PostgreSQL search_path to create the tables in');
    return schema;
  }

  /** One multi-row INSERT from arrays (unnest), so a 5000-event batch is two statements and one round trip each. */
  async ingest(deviceId: string, events: SightlineEvent[], snapshots: NewSnapshot[], ingestedAt: number): Promise<IngestResult> {
    if (events.length === 0 && snapshots.length === 0) return { inserted: 0, duplicates: 0, insertedIds: [] };
    const columns = transpose(events.map((event) => eventToValues(deviceId, event, ingestedAt)), 18);
    return this.db.transaction().execute(async (trx) => {
      let insertedIds: string[] = [];
      if (events.length > 0) {
        const [id, device, camera, type, wallTime, sourceTs, frameIndex, trackId, classId, label, confidence, zone, line, direction, dwell, bbox, ingested, event] =
          columns;
        const result = await sql<{ id: string }>`
          INSERT INTO events (id, device_id, camera_id, type, wall_time, source_ts, frame_index, track_id, class_id,
                              label, confidence, zone_id, line_id, direction, dwell, bbox, ingested_at, event)
          SELECT * FROM unnest(
            ${id}::text[], ${device}::text[], ${camera}::text[], ${type}::text[], ${wallTime}::int8[],
            ${sourceTs}::float8[], ${frameIndex}::int8[], ${trackId}::int8[], ${classId}::int4[], ${label}::text[],
            ${confidence}::float8[], ${zone}::text[], ${line}::text[], ${direction}::text[], ${dwell}::float8[],
            ${bbox}::text[], ${ingested}::int8[], ${event}::text[])
          -- Inserting in id order makes concurrent overlapping batches take row locks in the same order, so
          -- they wait for each other instead of deadlocking.
          ORDER BY 1
          ON CONFLICT (id) DO NOTHING
          RETURNING id`.execute(trx);
        insertedIds = inInputOrder(events, result.rows);
      }
      if (snapshots.length > 0) {
        // Refs to events that are neither in the batch nor stored are dropped rather than left dangling.
        await sql`
          INSERT INTO snapshots (event_id, kind, blob_key, width, height, bytes)
          SELECT s.event_id, s.kind, s.blob_key, s.width, s.height, s.bytes
          FROM unnest(
            ${snapshots.map((s) => s.eventId)}::text[], ${snapshots.map((s) => s.kind)}::text[],
            ${snapshots.map((s) => s.blobKey)}::text[], ${snapshots.map((s) => s.width)}::int4[],
            ${snapshots.map((s) => s.height)}::int4[], ${snapshots.map((s) => s.bytes)}::int8[]
          ) AS s(event_id, kind, blob_key, width, height, bytes)
          WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = s.event_id)
          ON CONFLICT (event_id, kind) DO NOTHING`.execute(trx);
      }
      return { inserted: insertedIds.length, duplicates: events.length - insertedIds.length, insertedIds };
    });
  }
}

/** RETURNING gives no order guarantee; callers get the inserted ids in the order the edge sent them. */
function inInputOrder(events: SightlineEvent[], returned: { id: string }[]): string[] {
  const pending = new Set(returned.map((row) => row.id));
  const ordered: string[] = [];
  for (const event of events) {
    // delete() also keeps an id repeated within the batch from being listed twice.
    if (pending.delete(event.id)) ordered.push(event.id);
  }
  return ordered;
}

/** Rows to columns: pg sends each column as one array parameter. */
function transpose(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  const columns = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as readonly unknown[];
    for (let c = 0; c < width; c++) (columns[c] as unknown[])[r] = row[c];
  }
  return columns;
}
