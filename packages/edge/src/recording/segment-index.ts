import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A segment on the edge's disk. `buffered`: kept for a while in case an event wants it (events mode), never uploaded
 * as is; `pending`: waiting to be uploaded, in `seq` order.
 */
export interface LocalSegment {
  id: string;
  cameraId: string;
  path: string;
  startedAt: number;
  durationMs: number;
  bytes: number;
  state: 'buffered' | 'pending';
}

export interface SegmentCounters {
  uploaded: number;
  uploadedBytes: number;
  /** Segments deleted unsent because the disk budget was full (oldest first). */
  dropped: number;
  droppedBytes: number;
  /** Segments the hub refused for good (unknown or foreign camera, not an MP4, too large). */
  refused: number;
}

const DDL = `
CREATE TABLE IF NOT EXISTS segments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  camera_id TEXT NOT NULL,
  path TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_pending ON segments (seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS segments_camera ON segments (camera_id, started_at);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

interface Row {
  id: string;
  camera_id: string;
  path: string;
  started_at: number;
  duration_ms: number;
  bytes: number;
  state: string;
}

const toSegment = (row: Row): LocalSegment => ({
  id: row.id,
  cameraId: row.camera_id,
  path: row.path,
  startedAt: row.started_at,
  durationMs: row.duration_ms,
  bytes: row.bytes,
  state: row.state === 'pending' ? 'pending' : 'buffered',
});

/**
 * The edge's list of recorded segments on disk, in SQLite (WAL, synchronous=FULL: a segment listed survives a crash
 * or power cut, like the event outbox). Segment files are written before they are listed here; a file not listed is
 * a leftover and may be deleted. Counters survive restarts.
 */
export class SegmentIndex {
  private constructor(private readonly db: Database.Database) {}

  static open(path: string): SegmentIndex {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(DDL);
    return new SegmentIndex(db);
  }

  close(): void {
    this.db.close();
  }

  add(segment: LocalSegment): void {
    this.db
      .prepare('INSERT OR IGNORE INTO segments (id, camera_id, path, started_at, duration_ms, bytes, state) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(segment.id, segment.cameraId, segment.path, segment.startedAt, segment.durationMs, segment.bytes, segment.state);
  }

  /** Buffered segments become pending (an event wants them); pending ones keep their place in the queue. */
  markPending(ids: readonly string[]): number {
    const statement = this.db.prepare("UPDATE segments SET state = 'pending' WHERE id = ? AND state = 'buffered'");
    return this.db.transaction(() => ids.reduce((n, id) => n + statement.run(id).changes, 0))();
  }

  /** The oldest pending segment (in the order they were listed). */
  nextPending(): LocalSegment | undefined {
    const row = this.db.prepare("SELECT * FROM segments WHERE state = 'pending' ORDER BY seq LIMIT 1").get() as Row | undefined;
    return row && toSegment(row);
  }

  ofCamera(cameraId: string): LocalSegment[] {
    return (this.db.prepare('SELECT * FROM segments WHERE camera_id = ? ORDER BY started_at').all(cameraId) as Row[]).map(toSegment);
  }

  /** The oldest segments of any camera and state, by recording time: what the disk budget gives up first. */
  oldest(limit: number): LocalSegment[] {
    return (this.db.prepare('SELECT * FROM segments ORDER BY started_at, seq LIMIT ?').all(limit) as Row[]).map(toSegment);
  }

  /** Buffered segments recorded before `time`, of any camera (leftovers of cameras no longer recorded). */
  bufferedBefore(time: number): LocalSegment[] {
    return (this.db.prepare("SELECT * FROM segments WHERE state = 'buffered' AND started_at < ? ORDER BY started_at").all(time) as Row[]).map(toSegment);
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM segments WHERE id = ?').run(id).changes > 0;
  }

  totals(): { pending: number; pendingBytes: number; buffered: number; bytes: number } {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(state = 'pending'), 0) AS pending, COALESCE(SUM(CASE WHEN state = 'pending' THEN bytes END), 0) AS pendingBytes,
                COALESCE(SUM(state = 'buffered'), 0) AS buffered, COALESCE(SUM(bytes), 0) AS bytes FROM segments`,
      )
      .get() as { pending: number; pendingBytes: number; buffered: number; bytes: number };
    return row;
  }

  count(name: keyof SegmentCounters, by = 1): void {
    this.db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value').run(name, by);
  }

  counters(): SegmentCounters {
    const rows = this.db.prepare('SELECT name, value FROM counters').all() as { name: string; value: number }[];
    const value = (name: keyof SegmentCounters) => rows.find((r) => r.name === name)?.value ?? 0;
    return { uploaded: value('uploaded'), uploadedBytes: value('uploadedBytes'), dropped: value('dropped'), droppedBytes: value('droppedBytes'), refused: value('refused') };
  }
}
