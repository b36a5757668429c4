import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SightlineEventSchema, SnapshotSchema } from '@sightline/protocol';
import type { SightlineEvent, Snapshot } from '@sightline/protocol';
import Database from 'better-sqlite3';
import { BATCH_ENVELOPE_BYTES, OutboxBatch } from './batch.js';
import type { BatchEventRow, BatchSnapshotRow } from './batch.js';
import { ClaimRegistry } from './claims.js';
import { COUNTER_DROPPED_EVENTS, COUNTER_DROPPED_SNAPSHOTS, COUNTER_REFUSED_EVENTS, OUTBOX_DDL } from './schema.js';

export interface OutboxOptions {
  /** Most bytes (event JSON + snapshot JSON) the outbox keeps; over it the oldest undelivered data is dropped. */
  budgetBytes: number;
  /** How long delivered events stay listed by `allEventIds()`. Default 1 hour. */
  retentionMs?: number;
  /** Clock in Unix milliseconds; tests move it. */
  now?: () => number;
  /**
   * Acks in a row that may leave an event out before it is given up as refused by the hub. Without a limit, an
   * event the hub will never store would ride along in every batch forever. Default 5.
   */
  maxRefusals?: number;
}

export interface NextBatchOptions {
  /** Most events of the outbox's own in one batch (at most 4800, so the message stays within the protocol's 5000). */
  maxEvents: number;
  /** Size the batch stays under; a single snapshot bigger than this goes out alone. */
  maxBytes: number;
}

export interface OutboxStats {
  /** Events not yet acknowledged by the hub, in flight or not. */
  pending: number;
  /** Bytes of the pending events and pending snapshots. */
  pendingBytes: number;
  pendingSnapshots: number;
  /** Delivered events still kept for the retention period. */
  delivered: number;
  /** Events dropped because the outbox went over its budget, ever (kept across restarts). */
  dropped: number;
  droppedSnapshots: number;
  /** Events given up because the hub's acks left them out `maxRefusals` times (kept across restarts). */
  refused: number;
  inFlightBatches: number;
}

export interface AppendResult {
  /** Events stored by this call; an id already in the outbox is not stored twice. */
  events: number;
  snapshots: number;
}

export interface CompleteResult {
  delivered: number;
  /** Events of the batch that the hub's ack did not list; they are pending again and will be resent. */
  notCommitted: string[];
  /** Events the ack left out once too often: deleted and counted in `refused`. */
  refused: string[];
}

/** An event or snapshot the outbox refuses, so it can never poison a batch the hub would then refuse forever. */
export class OutboxInputError extends Error {
  override readonly name = 'OutboxInputError';
}

interface Tally {
  pendingEvents: number;
  pendingEventBytes: number;
  pendingSnapshots: number;
  pendingSnapshotBytes: number;
  deliveredEvents: number;
  deliveredBytes: number;
  droppedEvents: number;
  droppedSnapshots: number;
  refusedEvents: number;
}

interface PreparedEvent {
  id: string;
  json: string;
  bytes: number;
}

interface PreparedSnapshot {
  eventId: string;
  kind: Snapshot['kind'];
  json: string;
  bytes: number;
}

interface SnapshotMeta {
  seq: number;
  eventSeq: number;
  eventId: string;
  bytes: number;
}

const DEFAULT_RETENTION_MS = 60 * 60 * 1000;
const MAX_OWN_EVENTS = 4800;
const MAX_SNAPSHOTS = 200;
/** Rows looked at per query while dropping or pruning for the budget. */
const CHUNK = 256;

/**
 * The edge's durable queue of events for the hub, in one SQLite file.
 *
 * Events are kept in `seq` order, which is append order, so each camera's events leave in the order they were
 * produced. An event stays until the hub acknowledges it, then for the retention period so tools can list
 * everything the edge produced. Over the byte budget, the oldest undelivered data is dropped and counted:
 * snapshots first (they are most of the bytes and the least of the value), and events only when dropping every
 * snapshot would not be enough.
 */
export class Outbox {
  private readonly claims = new ClaimRegistry();
  private readonly appendListeners = new Set<() => void>();
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly budgetBytes: number;
  private readonly maxRefusals: number;
  /** Acks that left an event out, by event id; in memory, so a restart gives every event a fresh chance. */
  private readonly refusals = new Map<string, number>();
  private tally: Tally;
  private lastPruneAt = 0;
  /** A snapshot left out of the last batch for lack of room; the next batch starts with it so none waits forever. */
  private starvedSnapshotSeq: number | undefined;
  private readonly sql: Statements;

  private constructor(
    private readonly db: Database.Database,
    options: OutboxOptions,
  ) {
    this.budgetBytes = options.budgetBytes;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
    this.maxRefusals = Math.max(1, options.maxRefusals ?? 5);
    this.sql = prepareStatements(db);
    this.tally = this.loadTally();
  }

  static open(path: string, options: OutboxOptions): Outbox {
    if (!Number.isFinite(options.budgetBytes) || options.budgetBytes <= 0) {
      throw new RangeError(`outbox budgetBytes must be a positive number, got ${options.budgetBytes}`);
    }
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // Appends commit with synchronous=FULL (see append), everything else with NORMAL, which in WAL mode
      // survives a crash or SIGKILL of the process but may lose the last commits to a power cut.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      // The WAL is reused after checkpoints; cap what stays on disk after a burst of large snapshots.
      db.pragma('journal_size_limit = 8388608');
      db.exec(OUTBOX_DDL);
    } catch (err) {
      db.close();
      throw err;
    }
    const outbox = new Outbox(db, options);
    outbox.prune();
    outbox.write(false, (tally) => outbox.enforceBudget(tally));
    return outbox;
  }

  /**
   * Stores events and their snapshots in one transaction; when it returns they are on disk.
   *
   * The commit is fsynced (synchronous=FULL) so events survive a power cut too, which edge boxes see more often
   * than servers. Measured on the project machine, a small commit costs 0.5 ms with FULL on an idle disk and up to
   * 4 ms on a busy one (0.03 to 0.4 ms with NORMAL); a 500-event commit costs the same either way. Appends are
   * rare (one per analysed frame that produced events, at most), so that is affordable. Delivery bookkeeping stays
   * on NORMAL: losing it to a power cut only means sending those events again, which the hub deduplicates.
   */
  append(events: readonly SightlineEvent[], snapshots: readonly Snapshot[] = []): AppendResult {
    const preparedEvents = events.map(prepareEvent);
    const preparedSnapshots = snapshots.map(prepareSnapshot);
    if (preparedEvents.length === 0 && preparedSnapshots.length === 0) return { events: 0, snapshots: 0 };
    const result = this.write(true, (tally) => {
      const seqOfNew = new Map<string, number>();
      let storedEvents = 0;
      for (const event of preparedEvents) {
        const info = this.sql.insertEvent.run(event.id, event.json, event.bytes);
        if (info.changes === 0) continue;
        storedEvents++;
        seqOfNew.set(event.id, Number(info.lastInsertRowid));
        tally.pendingEvents++;
        tally.pendingEventBytes += event.bytes;
      }
      let storedSnapshots = 0;
      for (const snapshot of preparedSnapshots) {
        const eventSeq = seqOfNew.get(snapshot.eventId) ?? this.sql.seqOfEvent.get(snapshot.eventId)?.seq;
        if (eventSeq === undefined) {
          throw new OutboxInputError(`snapshot for event ${snapshot.eventId}, which is neither in this append nor in the outbox`);
        }
        const info = this.sql.insertSnapshot.run(snapshot.eventId, eventSeq, snapshot.kind, snapshot.json, snapshot.bytes);
        if (info.changes === 0) continue;
        storedSnapshots++;
        tally.pendingSnapshots++;
        tally.pendingSnapshotBytes += snapshot.bytes;
      }
      this.enforceBudget(tally);
      return { events: storedEvents, snapshots: storedSnapshots };
    });
    if (result.events > 0 || result.snapshots > 0) {
      for (const listener of this.appendListeners) listener();
    }
    return result;
  }

  /** Called after every append that stored something, so a sender can wake up at once. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * Claims the oldest pending events no other batch holds, in seq order, plus snapshots that fit. A snapshot always
   * travels with its event, repeated as a companion when the event itself went earlier. Returns undefined when
   * there is nothing to send.
   */
  nextBatch(options: NextBatchOptions): OutboxBatch | undefined {
    const maxEvents = Math.max(1, Math.min(MAX_OWN_EVENTS, Math.floor(options.maxEvents)));
    const maxBytes = Math.max(1, options.maxBytes);
    const candidates = this.freePendingEvents(maxEvents);
    const headFreeSeq = candidates[0]?.seq ?? Number.MAX_SAFE_INTEGER;

    const rows: BatchEventRow[] = [];
    const rowSeqs = new Set<number>();
    const companions = new Map<number, BatchEventRow>();
    const snapshotMetas: SnapshotMeta[] = [];
    let size = BATCH_ENVELOPE_BYTES;
    const isEmpty = () => rows.length === 0 && snapshotMetas.length === 0;

    const addSnapshot = (meta: SnapshotMeta, companion: BatchEventRow | undefined) => {
      snapshotMetas.push(meta);
      size += meta.bytes + 1;
      if (companion) {
        companions.set(companion.seq, companion);
        size += companion.bytes + 1;
      }
    };
    /** The event row a snapshot needs beside it, if it is not already in the batch; null when it is gone. */
    const companionFor = (meta: SnapshotMeta): BatchEventRow | undefined | null => {
      if (rowSeqs.has(meta.eventSeq) || companions.has(meta.eventSeq)) return undefined;
      return this.sql.eventBySeq.get(meta.eventSeq) ?? null;
    };

    const starved = this.takeStarvedSnapshot(headFreeSeq);
    if (starved) {
      const companion = companionFor(starved);
      if (companion !== null) addSnapshot(starved, companion);
    }

    for (const candidate of candidates) {
      if (rows.length >= maxEvents) break;
      if (!isEmpty() && size + candidate.bytes + 1 > maxBytes) break;
      rows.push(candidate);
      rowSeqs.add(candidate.seq);
      size += candidate.bytes + 1;
    }

    // Snapshots of events at or before the last one in this batch: those events are in it, in flight or delivered.
    const lastRow = rows[rows.length - 1];
    const eventSeqLimit = lastRow ? lastRow.seq : headFreeSeq - 1;
    for (const meta of this.sql.snapshotCandidates.all(eventSeqLimit, MAX_SNAPSHOTS * 2)) {
      if (snapshotMetas.length >= MAX_SNAPSHOTS) break;
      if (this.claims.isSnapshotClaimed(meta.seq) || meta.seq === starved?.seq) continue;
      const companion = companionFor(meta);
      if (companion === null) continue;
      const extra = meta.bytes + 1 + (companion ? companion.bytes + 1 : 0);
      if (isEmpty() || size + extra <= maxBytes) {
        addSnapshot(meta, companion);
      } else {
        this.starvedSnapshotSeq ??= meta.seq;
      }
    }

    if (isEmpty()) return undefined;
    const snapshotRows: BatchSnapshotRow[] = snapshotMetas.map((meta) => ({
      seq: meta.seq,
      eventId: meta.eventId,
      bytes: meta.bytes,
      json: this.sql.snapshotBody.get(meta.seq)?.body ?? '',
    }));
    const firstRow = rows[0];
    const claimId = this.claims.claim(
      firstRow ? firstRow.seq : 0,
      lastRow ? lastRow.seq : -1,
      snapshotRows.map((row) => row.seq),
    );
    const orderedCompanions = [...companions.values()].sort((a, b) => a.seq - b.seq);
    return new OutboxBatch(claimId, rows, orderedCompanions, snapshotRows);
  }

  /**
   * The hub acknowledged `batch`, committing `committedIds`: those events become delivered and the snapshots of
   * committed events are deleted. Whatever the ack left out is pending again, until it was left out
   * `maxRefusals` times.
   */
  complete(batch: OutboxBatch, committedIds: Iterable<string>): CompleteResult {
    const committed = new Set(committedIds);
    const now = this.now();
    try {
      return this.write(false, (tally) => {
        let delivered = 0;
        const left = batch.rows.filter((row) => !committed.has(row.id));
        const first = batch.rows[0];
        const last = batch.rows[batch.rows.length - 1];
        if (first && last && left.length === 0) {
          // The usual case in one statement: every pending row inside a batch's seq range belongs to that batch.
          for (const hit of this.sql.markDeliveredInRange.all(now, first.seq, last.seq)) {
            delivered++;
            moveToDelivered(tally, hit.bytes);
          }
        } else {
          for (const row of batch.rows) {
            const hit = committed.has(row.id) ? this.sql.markDeliveredBySeq.get(now, row.seq) : undefined;
            if (!hit) continue;
            delivered++;
            moveToDelivered(tally, hit.bytes);
          }
        }
        for (const snapshot of batch.snapshotRows) {
          if (!committed.has(snapshot.eventId)) continue;
          const hit = this.sql.deleteSnapshot.get(snapshot.seq);
          if (hit) {
            tally.pendingSnapshots--;
            tally.pendingSnapshotBytes -= hit.bytes;
          }
        }
        if (this.refusals.size > 0) for (const row of batch.rows) if (committed.has(row.id)) this.refusals.delete(row.id);
        const notCommitted: string[] = [];
        const refused: string[] = [];
        for (const row of left) {
          const times = (this.refusals.get(row.id) ?? 0) + 1;
          if (times < this.maxRefusals) {
            this.refusals.set(row.id, times);
            notCommitted.push(row.id);
            continue;
          }
          this.refusals.delete(row.id);
          if (this.deletePendingEvent(tally, row.seq)) refused.push(row.id);
        }
        if (refused.length > 0) {
          this.sql.addToCounter.run(COUNTER_REFUSED_EVENTS, refused.length);
          tally.refusedEvents += refused.length;
        }
        return { delivered, notCommitted, refused };
      });
    } finally {
      this.claims.release(batch.claimId);
      this.maybePrune();
    }
  }

  /** Gives a batch's rows back, to be sent again by a later batch (after an ack timeout or a disconnect). */
  release(batch: OutboxBatch): void {
    this.claims.release(batch.claimId);
  }

  /** Marks events delivered by id, whatever batch they were in (for an ack that arrives after its batch was released). */
  markDelivered(ids: Iterable<string>): number {
    const now = this.now();
    const count = this.write(false, (tally) => {
      let delivered = 0;
      for (const id of ids) {
        const hit = this.sql.markDeliveredById.get(now, id);
        if (!hit) continue;
        delivered++;
        moveToDelivered(tally, hit.bytes);
      }
      return delivered;
    });
    this.maybePrune();
    return count;
  }

  /** Deletes delivered events older than the retention period (never one whose snapshot is still pending). */
  prune(): number {
    this.lastPruneAt = this.now();
    const cutoff = this.now() - this.retentionMs;
    return this.write(false, (tally) => {
      const removed = this.sql.pruneDelivered.all(cutoff);
      for (const row of removed) {
        tally.deliveredEvents--;
        tally.deliveredBytes -= row.bytes;
      }
      return removed.length;
    });
  }

  stats(): OutboxStats {
    const t = this.tally;
    return {
      pending: t.pendingEvents,
      pendingBytes: t.pendingEventBytes + t.pendingSnapshotBytes,
      pendingSnapshots: t.pendingSnapshots,
      delivered: t.deliveredEvents,
      dropped: t.droppedEvents,
      droppedSnapshots: t.droppedSnapshots,
      refused: t.refusedEvents,
      inFlightBatches: this.claims.size,
    };
  }

  /** Every event id still stored, pending or delivered, in the order they were appended. */
  allEventIds(): string[] {
    return this.sql.allEventIds.all();
  }

  close(): void {
    this.appendListeners.clear();
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `change` in one transaction on a copy of the counters, adopted only if the transaction commits.
   * `fsync` makes this commit survive a power cut (synchronous=FULL, see append).
   */
  private write<T>(fsync: boolean, change: (tally: Tally) => T): T {
    const next = { ...this.tally };
    if (fsync) this.db.pragma('synchronous = FULL');
    try {
      const result = this.db.transaction(() => change(next))();
      this.tally = next;
      return result;
    } finally {
      if (fsync) this.db.pragma('synchronous = NORMAL');
    }
  }

  private maybePrune(): void {
    const interval = Math.min(60_000, this.retentionMs / 4);
    if (this.now() - this.lastPruneAt >= interval) this.prune();
  }

  /** Pending events in the first stretch of seq that no in-flight batch holds. */
  private freePendingEvents(limit: number): BatchEventRow[] {
    for (const region of this.claims.freeRegions()) {
      const rows = this.sql.pendingEventsBetween.all(region.after, region.before, limit);
      if (rows.length > 0) return rows;
    }
    return [];
  }

  private takeStarvedSnapshot(headFreeSeq: number): SnapshotMeta | undefined {
    const seq = this.starvedSnapshotSeq;
    this.starvedSnapshotSeq = undefined;
    if (seq === undefined || this.claims.isSnapshotClaimed(seq)) return undefined;
    const meta = this.sql.snapshotMeta.get(seq);
    // Its event must have gone out already: a snapshot never travels ahead of events older than its own.
    return meta && meta.eventSeq < headFreeSeq ? meta : undefined;
  }

  /**
   * Delivered rows go first when the file holds more than the budget; then, while pending data alone is over it,
   * the oldest snapshots, and the oldest events (with their snapshots) only when no snapshot is left.
   */
  private enforceBudget(tally: Tally): void {
    const pendingBytes = () => tally.pendingEventBytes + tally.pendingSnapshotBytes;
    while (pendingBytes() + tally.deliveredBytes > this.budgetBytes && tally.deliveredEvents > 0) {
      const rows = this.sql.oldestDelivered.all(CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (pendingBytes() + tally.deliveredBytes <= this.budgetBytes) break;
        this.sql.deleteEvent.run(row.seq);
        tally.deliveredEvents--;
        tally.deliveredBytes -= row.bytes;
      }
    }
    let droppedSnapshots = 0;
    while (pendingBytes() > this.budgetBytes && tally.pendingSnapshots > 0) {
      const rows = this.sql.oldestSnapshots.all(CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (pendingBytes() <= this.budgetBytes) break;
        this.sql.deleteSnapshot.run(row.seq);
        tally.pendingSnapshots--;
        tally.pendingSnapshotBytes -= row.bytes;
        droppedSnapshots++;
      }
    }
    let droppedEvents = 0;
    while (pendingBytes() > this.budgetBytes && tally.pendingEvents > 0) {
      const rows = this.sql.oldestPendingEvents.all(CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (pendingBytes() <= this.budgetBytes) break;
        droppedSnapshots += this.deletePendingEvent(tally, row.seq)?.snapshots ?? 0;
        droppedEvents++;
      }
    }
    if (droppedSnapshots > 0) {
      this.sql.addToCounter.run(COUNTER_DROPPED_SNAPSHOTS, droppedSnapshots);
      tally.droppedSnapshots += droppedSnapshots;
    }
    if (droppedEvents > 0) {
      this.sql.addToCounter.run(COUNTER_DROPPED_EVENTS, droppedEvents);
      tally.droppedEvents += droppedEvents;
    }
  }

  /** Deletes a pending event and its snapshots; undefined when it was not there (or not pending). */
  private deletePendingEvent(tally: Tally, seq: number): { snapshots: number } | undefined {
    const snapshots = this.sql.deleteSnapshotsOfEvent.all(seq);
    for (const snapshot of snapshots) {
      tally.pendingSnapshots--;
      tally.pendingSnapshotBytes -= snapshot.bytes;
    }
    const event = this.sql.deletePendingEvent.get(seq);
    if (!event) return undefined;
    tally.pendingEvents--;
    tally.pendingEventBytes -= event.bytes;
    return { snapshots: snapshots.length };
  }

  private loadTally(): Tally {
    const pending = this.sql.pendingEventTotals.get()!;
    const snapshots = this.sql.snapshotTotals.get()!;
    const delivered = this.sql.deliveredTotals.get()!;
    const counter = (name: string) => this.sql.counter.get(name)?.value ?? 0;
    return {
      pendingEvents: pending.count,
      pendingEventBytes: pending.bytes,
      pendingSnapshots: snapshots.count,
      pendingSnapshotBytes: snapshots.bytes,
      deliveredEvents: delivered.count,
      deliveredBytes: delivered.bytes,
      droppedEvents: counter(COUNTER_DROPPED_EVENTS),
      droppedSnapshots: counter(COUNTER_DROPPED_SNAPSHOTS),
      refusedEvents: counter(COUNTER_REFUSED_EVENTS),
    };
  }
}

function moveToDelivered(tally: Tally, bytes: number): void {
  tally.pendingEvents--;
  tally.pendingEventBytes -= bytes;
  tally.deliveredEvents++;
  tally.deliveredBytes += bytes;
}

function prepareEvent(event: SightlineEvent, index: number): PreparedEvent {
  const parsed = SightlineEventSchema.safeParse(event);
  if (!parsed.success) throw new OutboxInputError(describeIssue(`events[${index}]`, parsed.error.issues[0]));
  const json = JSON.stringify(parsed.data);
  return { id: parsed.data.id, json, bytes: Buffer.byteLength(json) };
}

function prepareSnapshot(snapshot: Snapshot, index: number): PreparedSnapshot {
  const parsed = SnapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new OutboxInputError(describeIssue(`snapshots[${index}]`, parsed.error.issues[0]));
  const json = JSON.stringify(parsed.data);
  return { eventId: parsed.data.eventId, kind: parsed.data.kind, json, bytes: Buffer.byteLength(json) };
}

function describeIssue(where: string, issue: { path: PropertyKey[]; message: string } | undefined): string {
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  return `${path}: ${issue?.message ?? 'invalid'}`;
}

interface Totals {
  count: number;
  bytes: number;
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  const notHoldingSnapshots = 'NOT EXISTS (SELECT 1 FROM outbox_snapshots s WHERE s.event_seq = outbox_events.seq)';
  return {
    insertEvent: db.prepare<[string, string, number]>(
      'INSERT INTO outbox_events (id, body, bytes) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
    ),
    seqOfEvent: db.prepare<[string], { seq: number }>('SELECT seq FROM outbox_events WHERE id = ?'),
    insertSnapshot: db.prepare<[string, number, string, string, number]>(
      `INSERT INTO outbox_snapshots (event_id, event_seq, kind, body, bytes) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (event_id, kind) DO NOTHING`,
    ),
    pendingEventsBetween: db.prepare<[number, number, number], BatchEventRow>(
      `SELECT seq, id, body AS json, bytes FROM outbox_events
       WHERE delivered_at IS NULL AND seq > ? AND seq < ? ORDER BY seq LIMIT ?`,
    ),
    eventBySeq: db.prepare<[number], BatchEventRow>('SELECT seq, id, body AS json, bytes FROM outbox_events WHERE seq = ?'),
    snapshotCandidates: db.prepare<[number, number], SnapshotMeta>(
      `SELECT seq, event_seq AS eventSeq, event_id AS eventId, bytes FROM outbox_snapshots
       WHERE event_seq <= ? ORDER BY seq LIMIT ?`,
    ),
    snapshotMeta: db.prepare<[number], SnapshotMeta>(
      'SELECT seq, event_seq AS eventSeq, event_id AS eventId, bytes FROM outbox_snapshots WHERE seq = ?',
    ),
    snapshotBody: db.prepare<[number], { body: string }>('SELECT body FROM outbox_snapshots WHERE seq = ?'),
    markDeliveredBySeq: db.prepare<[number, number], { bytes: number }>(
      'UPDATE outbox_events SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL RETURNING bytes',
    ),
    markDeliveredInRange: db.prepare<[number, number, number], { bytes: number }>(
      'UPDATE outbox_events SET delivered_at = ? WHERE delivered_at IS NULL AND seq BETWEEN ? AND ? RETURNING bytes',
    ),
    markDeliveredById: db.prepare<[number, string], { bytes: number }>(
      'UPDATE outbox_events SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL RETURNING bytes',
    ),
    deleteSnapshot: db.prepare<[number], { bytes: number }>('DELETE FROM outbox_snapshots WHERE seq = ? RETURNING bytes'),
    deleteSnapshotsOfEvent: db.prepare<[number], { bytes: number }>(
      'DELETE FROM outbox_snapshots WHERE event_seq = ? RETURNING bytes',
    ),
    deleteEvent: db.prepare<[number]>('DELETE FROM outbox_events WHERE seq = ?'),
    deletePendingEvent: db.prepare<[number], { bytes: number }>(
      'DELETE FROM outbox_events WHERE seq = ? AND delivered_at IS NULL RETURNING bytes',
    ),
    pruneDelivered: db.prepare<[number], { bytes: number }>(
      `DELETE FROM outbox_events WHERE delivered_at IS NOT NULL AND delivered_at < ? AND ${notHoldingSnapshots}
       RETURNING bytes`,
    ),
    oldestDelivered: db.prepare<[number], { seq: number; bytes: number }>(
      `SELECT seq, bytes FROM outbox_events WHERE delivered_at IS NOT NULL AND ${notHoldingSnapshots}
       ORDER BY delivered_at, seq LIMIT ?`,
    ),
    oldestSnapshots: db.prepare<[number], { seq: number; bytes: number }>(
      'SELECT seq, bytes FROM outbox_snapshots ORDER BY seq LIMIT ?',
    ),
    oldestPendingEvents: db.prepare<[number], { seq: number; bytes: number }>(
      'SELECT seq, bytes FROM outbox_events WHERE delivered_at IS NULL ORDER BY seq LIMIT ?',
    ),
    addToCounter: db.prepare<[string, number]>(
      `INSERT INTO outbox_counters (name, value) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
    ),
    counter: db.prepare<[string], { value: number }>('SELECT value FROM outbox_counters WHERE name = ?'),
    pendingEventTotals: db.prepare<[], Totals>(
      'SELECT count(*) AS count, coalesce(sum(bytes), 0) AS bytes FROM outbox_events WHERE delivered_at IS NULL',
    ),
    deliveredTotals: db.prepare<[], Totals>(
      'SELECT count(*) AS count, coalesce(sum(bytes), 0) AS bytes FROM outbox_events WHERE delivered_at IS NOT NULL',
    ),
    snapshotTotals: db.prepare<[], Totals>('SELECT count(*) AS count, coalesce(sum(bytes), 0) AS bytes FROM outbox_snapshots'),
    allEventIds: db.prepare<[], string>('SELECT id FROM outbox_events ORDER BY seq').pluck(),
  };
}
