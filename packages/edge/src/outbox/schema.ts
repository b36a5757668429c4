/**
 * Tables of the outbox. `seq` is AUTOINCREMENT so it never goes backwards, even after the newest rows were deleted:
 * delivery order is seq order, across restarts.
 */
export const OUTBOX_DDL = `
CREATE TABLE IF NOT EXISTS outbox_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  delivered_at INTEGER
);
-- Pending rows in seq order without walking past the delivered rows kept for the retention period.
CREATE INDEX IF NOT EXISTS outbox_events_pending ON outbox_events (seq) WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_events_delivered ON outbox_events (delivered_at) WHERE delivered_at IS NOT NULL;

-- Snapshots are deleted as soon as the hub has them: they are most of the bytes.
CREATE TABLE IF NOT EXISTS outbox_snapshots (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  UNIQUE (event_id, kind)
);
CREATE INDEX IF NOT EXISTS outbox_snapshots_event ON outbox_snapshots (event_seq);

CREATE TABLE IF NOT EXISTS outbox_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export const COUNTER_DROPPED_EVENTS = 'dropped_events';
export const COUNTER_DROPPED_SNAPSHOTS = 'dropped_snapshots';
export const COUNTER_REFUSED_EVENTS = 'refused_events';
