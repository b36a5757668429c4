import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SightlineEvent } from '@sightline/protocol';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import type { StoreLogger } from './logger.js';
import { eventToValues } from './row-mapping.js';
import type { EventValues } from './row-mapping.js';
import { EVENT_COLUMNS } from './schema.js';
import type { Database } from './schema.js';
import type { IngestResult, NewSnapshot } from './store.js';

type SnapshotValues = [eventId: string, kind: string, blobKey: string, width: number, height: number, bytes: number, eventId: string];

interface IngestStatements {
  insertEvent: Sqlite.Statement<EventValues>;
  insertSnapshot: Sqlite.Statement<SnapshotValues>;
  /** Wraps one batch in BEGIN IMMEDIATE … COMMIT (rolled back if anything throws). */
  ingestBatch: (deviceId: string, events: SightlineEvent[], snapshots: NewSnapshot[], ingestedAt: number) => IngestResult;
}

/**
 * SQLite through better-sqlite3: one connection in WAL mode with synchronous=NORMAL, which keeps every
 * committed transaction through a crash or SIGKILL of the process (not through a power cut of the machine).
 */
export class SqliteStore extends KyselyStore {
  readonly backend = 'sqlite';
  private statements: IngestStatements | undefined;

  private constructor(
    private readonly sqlite: Sqlite.Database,
    logger: StoreLogger | undefined,
  ) {
    super(new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), logger);
  }

  static open(path: string, logger?: StoreLogger): SqliteStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new Sqlite(path);
    try {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      // Another process (a backup, the CLI) may hold the write lock briefly; wait for it instead of failing.
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
    } catch (err) {
      sqlite.close();
      throw err;
    }
    return new SqliteStore(sqlite, logger);
  }

  /** Lets SQLite refresh the planner statistics it finds stale (its recommended practice on close). */
  override async close(): Promise<void> {
    await this.db.connection().execute(() => Promise.resolve(this.sqlite.pragma('optimize')));
    await super.close();
  }

  /** The connection's durability settings as SQLite reports them, for diagnostics. */
  connectionSettings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; busyTimeoutMs: number } {
    const synchronous = (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[Number(this.sqlite.pragma('synchronous', { simple: true }))];
    return {
      journalMode: String(this.sqlite.pragma('journal_mode', { simple: true })),
      synchronous: synchronous ?? 'OFF',
      busyTimeoutMs: Number(this.sqlite.pragma('busy_timeout', { simple: true })),
    };
  }

  /**
   * Prepared statements in one transaction, bypassing the query builder. It runs on Kysely's connection, under
   * its lock, so it never lands inside a transaction Kysely has open on the same connection.
   */
  async ingest(deviceId: string, events: SightlineEvent[], snapshots: NewSnapshot[], ingestedAt: number): Promise<IngestResult> {
    if (events.length === 0 && snapshots.length === 0) return { inserted: 0, duplicates: 0, insertedIds: [] };
    const statements = (this.statements ??= this.prepareIngest());
    return this.db.connection().execute(() => Promise.resolve(statements.ingestBatch(deviceId, events, snapshots, ingestedAt)));
  }

  private prepareIngest(): IngestStatements {
    const insertEvent = this.sqlite.prepare<EventValues>(
      `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (id) DO NOTHING`,
    );
    // Refs to events that are neither in the batch nor stored are dropped rather than left dangling.
    const insertSnapshot = this.sqlite.prepare<SnapshotValues>(
      `INSERT INTO snapshots (event_id, kind, blob_key, width, height, bytes)
       SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM events WHERE id = ?)
       ON CONFLICT (event_id, kind) DO NOTHING`,
    );
    const ingestBatch = this.sqlite.transaction(
      (deviceId: string, events: SightlineEvent[], snapshots: NewSnapshot[], ingestedAt: number): IngestResult => {
        const insertedIds: string[] = [];
        for (const event of events) {
          if (insertEvent.run(...eventToValues(deviceId, event, ingestedAt)).changes > 0) insertedIds.push(event.id);
        }
        for (const s of snapshots) insertSnapshot.run(s.eventId, s.kind, s.blobKey, s.width, s.height, s.bytes, s.eventId);
        return { inserted: insertedIds.length, duplicates: events.length - insertedIds.length, insertedIds };
      },
    );
    return { insertEvent, insertSnapshot, ingestBatch: (...args) => ingestBatch.immediate(...args) };
  }
}
