import { sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Store } from './store.js';

/**
 * Every migration this binary knows, in order. Names are `NNNN_description`; Kysely runs them sorted by name.
 * Never edit a shipped migration: add a new one. Each must work on both SQLite and PostgreSQL, so they use the
 * schema builder with portable types (bigint for Unix ms, text for JSON, integer 0/1 for booleans).
 */
export function knownMigrations(backend: Store['backend']): Record<string, Migration> {
  // Event ids are compared with < for cursor paging; PostgreSQL must compare them byte-wise (UUIDv7 text sorts
  // by time only in that order), whatever locale the database was created with.
  const eventIdType = backend === 'postgres' ? sql`text collate "C"` : sql`text`;

  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .addColumn('last_used_at', 'bigint')
          .execute();

        await db.schema
          .createTable('devices')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('enrollment_token_hash', 'text')
          .addColumn('enrollment_expires_at', 'bigint')
          .addColumn('enrolled_at', 'bigint')
          .addColumn('mqtt_password_hash', 'text')
          .addColumn('config_version', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('applied_version', 'bigint')
          .addColumn('applied_ok', 'integer')
          .addColumn('applied_errors', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_seen_at', 'bigint')
          .addColumn('last_heartbeat', 'text')
          .addColumn('outbox_dropped', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        // Enrollment looks a device up by its token hash; only unenrolled devices have one.
        await db.schema
          .createIndex('devices_enrollment_token_idx')
          .on('devices')
          .column('enrollment_token_hash')
          .unique()
          .where(sql.ref('enrollment_token_hash'), 'is not', null)
          .execute();

        await db.schema
          .createTable('cameras')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('cameras_device_idx').on('cameras').column('device_id').execute();

        // Events outlive their device and camera (history stays queryable), so no foreign keys here.
        await db.schema
          .createTable('events')
          .addColumn('id', eventIdType, (c) => c.primaryKey())
          .addColumn('device_id', 'text', (c) => c.notNull())
          .addColumn('camera_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('wall_time', 'bigint', (c) => c.notNull())
          .addColumn('source_ts', 'double precision', (c) => c.notNull())
          .addColumn('frame_index', 'bigint', (c) => c.notNull())
          .addColumn('track_id', 'bigint', (c) => c.notNull())
          .addColumn('class_id', 'integer', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('confidence', 'double precision', (c) => c.notNull())
          .addColumn('zone_id', 'text')
          .addColumn('line_id', 'text')
          .addColumn('direction', 'text')
          .addColumn('dwell', 'double precision')
          .addColumn('bbox', 'text', (c) => c.notNull())
          .addColumn('ingested_at', 'bigint', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .execute();
        // Event listings are newest-first by id, usually narrowed by one equality filter: each filter column
        // is indexed together with id so the database walks the index backwards and stops after one page.
        // Zone and line ids are null for the other event types, so those indexes skip the nulls.
        await db.schema.createIndex('events_camera_idx').on('events').columns(['camera_id', 'id']).execute();
        await db.schema.createIndex('events_device_idx').on('events').columns(['device_id', 'id']).execute();
        await db.schema.createIndex('events_label_idx').on('events').columns(['label', 'id']).execute();
        await db.schema
          .createIndex('events_zone_idx')
          .on('events')
          .columns(['zone_id', 'id'])
          .where(sql.ref('zone_id'), 'is not', null)
          .execute();
        await db.schema
          .createIndex('events_line_idx')
          .on('events')
          .columns(['line_id', 'id'])
          .where(sql.ref('line_id'), 'is not', null)
          .execute();
        // Time ranges: counts, pruning, and listings bounded by from/to.
        await db.schema.createIndex('events_wall_time_idx').on('events').column('wall_time').execute();

        // No foreign key to events: ingest checks the event exists itself, and a key would slow every insert.
        await db.schema
          .createTable('snapshots')
          .addColumn('event_id', eventIdType, (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('blob_key', 'text', (c) => c.notNull())
          .addColumn('width', 'integer', (c) => c.notNull())
          .addColumn('height', 'integer', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('snapshots_pk', ['event_id', 'kind'])
          .execute();
      },
    },

    '0002_recording_segments': {
      async up(db: Kysely<unknown>): Promise<void> {
        // No foreign key to cameras: an upload may commit just after its camera was deleted; retention removes such
        // orphans, and deleting a camera deletes its recordings (rows and files) itself.
        await db.schema
          .createTable('recording_segments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('camera_id', 'text', (c) => c.notNull())
          .addColumn('device_id', 'text', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('ended_at', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('file_key', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        // Listings and clips: one camera's segments in a time range. Retention per camera walks it oldest first.
        await db.schema.createIndex('recording_segments_camera_idx').on('recording_segments').columns(['camera_id', 'started_at']).execute();
        // The hub-wide size budget deletes the oldest segments of any camera first.
        await db.schema.createIndex('recording_segments_started_idx').on('recording_segments').column('started_at').execute();
      },
    },

    '0003_streaming': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Streaming hosts enroll and log in to MQTT exactly like edges, so they are devices of another kind.
        await db.schema.alterTable('devices').addColumn('kind', 'text', (c) => c.notNull().defaultTo('edge')).execute();
        await db.schema
          .createTable('apps')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },

    '0004_hub_settings': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Settings an administrator changes at run time (event retention, ICE servers): one row per setting, JSON value.
        await db.schema
          .createTable('hub_settings')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_by', 'text')
          .execute();
      },
    },
  };
}

export function staticMigrationProvider(migrations: Record<string, Migration>): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations) };
}
