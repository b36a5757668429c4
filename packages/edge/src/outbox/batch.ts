import type { EventBatch, SightlineEvent, Snapshot } from '@sightline/protocol';

/** An outbox row as it goes on the wire: its JSON was validated and serialized once, when it was appended. */
export interface BatchEventRow {
  seq: number;
  id: string;
  json: string;
  bytes: number;
}

export interface BatchSnapshotRow {
  seq: number;
  eventId: string;
  json: string;
  bytes: number;
}

/** Bytes of the EventBatch envelope around the rows, rounded up. */
export const BATCH_ENVELOPE_BYTES = 200;

/**
 * The oldest pending events of the outbox, claimed until `Outbox.complete` or `Outbox.release`.
 *
 * `companions` are events sent before, repeated only because a snapshot of theirs rides in this batch and the hub
 * accepts a snapshot only next to its event. They are older than every event of `rows`, so they go first; the hub
 * already has them (or gets them from an earlier batch it processes first) and ignores the repeat.
 */
export class OutboxBatch {
  constructor(
    /** Opaque handle of the claim in the outbox that produced this batch. */
    readonly claimId: number,
    readonly rows: readonly BatchEventRow[],
    readonly companions: readonly BatchEventRow[],
    readonly snapshotRows: readonly BatchSnapshotRow[],
  ) {}

  /** Ids of the events this batch delivers (not the companions). */
  get eventIds(): string[] {
    return this.rows.map((row) => row.id);
  }

  get bytes(): number {
    let total = BATCH_ENVELOPE_BYTES;
    for (const row of this.companions) total += row.bytes + 1;
    for (const row of this.rows) total += row.bytes + 1;
    for (const row of this.snapshotRows) total += row.bytes + 1;
    return total;
  }

  /** The EventBatch message, built from the stored JSON without parsing it again. */
  encode(batchId: string, deviceId: string): Buffer {
    const events = [...this.companions, ...this.rows].map((row) => row.json).join(',');
    const snapshots = this.snapshotRows.map((row) => row.json).join(',');
    return Buffer.from(
      `{"batchId":${JSON.stringify(batchId)},"deviceId":${JSON.stringify(deviceId)},"events":[${events}],"snapshots":[${snapshots}]}`,
    );
  }

  /** The same message as objects, for tools and tests. */
  toEventBatch(batchId: string, deviceId: string): EventBatch {
    return {
      batchId,
      deviceId,
      events: [...this.companions, ...this.rows].map((row) => JSON.parse(row.json) as SightlineEvent),
      snapshots: this.snapshotRows.map((row) => JSON.parse(row.json) as Snapshot),
    };
  }
}
