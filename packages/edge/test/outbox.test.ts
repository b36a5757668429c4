import { join } from 'node:path';
import type { SightlineEvent } from '@sightline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, OutboxInputError } from '../src/outbox/index.js';
import type { OutboxBatch } from '../src/outbox/index.js';
import { makeEvent, makeEvents, makeSnapshot, tempDir } from './outbox-helpers.js';

const BIG_BUDGET = 512 * 1024 * 1024;

let dir: ReturnType<typeof tempDir>;
const opened: Outbox[] = [];
function open(name = 'outbox.db', options: Partial<Parameters<typeof Outbox.open>[1]> = {}): Outbox {
  const outbox = Outbox.open(join(dir.dir, name), { budgetBytes: BIG_BUDGET, ...options });
  opened.push(outbox);
  return outbox;
}

beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const outbox of opened.splice(0)) outbox.close();
  dir.remove();
});

/** Takes and acknowledges batches until the outbox is empty, returning the ids in the order they went out. */
function drain(outbox: Outbox, maxEvents = 50, maxBytes = 1024 * 1024): string[] {
  const sent: string[] = [];
  for (let batch = outbox.nextBatch({ maxEvents, maxBytes }); batch; batch = outbox.nextBatch({ maxEvents, maxBytes })) {
    sent.push(...batch.eventIds);
    outbox.complete(batch, batch.eventIds);
  }
  return sent;
}

describe('Outbox', () => {
  it('keeps every camera in append order across many appends and batches', () => {
    const outbox = open();
    const cameras = ['cam-a', 'cam-b', 'cam-c'];
    const appended: SightlineEvent[] = [];
    for (let i = 0; i < 300; i++) {
      const camera = cameras[i % 3]!;
      const events = makeEvents(camera, 1 + ((i * 7) % 13));
      outbox.append(events);
      appended.push(...events);
      // Take a batch now and then while appending continues, as the sender does.
      if (i % 17 === 0) {
        const batch = outbox.nextBatch({ maxEvents: 23, maxBytes: 1024 * 1024 });
        if (batch) outbox.complete(batch, batch.eventIds);
      }
    }
    const before = outbox.stats();
    expect(before.pending + before.delivered).toBe(appended.length);

    drain(outbox, 37);
    const stored = outbox.allEventIds();
    expect(stored).toEqual(appended.map((e) => e.id));
    const cameraOf = new Map(appended.map((e) => [e.id, e.cameraId]));
    for (const camera of cameras) {
      expect(stored.filter((id) => cameraOf.get(id) === camera)).toEqual(appended.filter((e) => e.cameraId === camera).map((e) => e.id));
    }
    expect(outbox.stats()).toMatchObject({ pending: 0, pendingBytes: 0, delivered: appended.length, dropped: 0 });
  });

  it('sends batches in seq order and never hands out an event twice while it is claimed', () => {
    const outbox = open();
    const events = makeEvents('cam-a', 100);
    outbox.append(events);
    const ids = events.map((e) => e.id);
    const first = outbox.nextBatch({ maxEvents: 30, maxBytes: 1e6 })!;
    const second = outbox.nextBatch({ maxEvents: 30, maxBytes: 1e6 })!;
    const third = outbox.nextBatch({ maxEvents: 30, maxBytes: 1e6 })!;
    expect(first.eventIds).toEqual(ids.slice(0, 30));
    expect(second.eventIds).toEqual(ids.slice(30, 60));
    expect(third.eventIds).toEqual(ids.slice(60, 90));
    expect(outbox.stats().inFlightBatches).toBe(3);

    // The middle batch is given back: the next batch is exactly its events, not the free ones after the third.
    outbox.release(second);
    const again = outbox.nextBatch({ maxEvents: 50, maxBytes: 1e6 })!;
    expect(again.eventIds).toEqual(ids.slice(30, 60));
    const rest = outbox.nextBatch({ maxEvents: 50, maxBytes: 1e6 })!;
    expect(rest.eventIds).toEqual(ids.slice(90));
    expect(outbox.nextBatch({ maxEvents: 50, maxBytes: 1e6 })).toBeUndefined();

    // Acks in any order; the hub leaving out one id makes just that event pending again.
    outbox.complete(third, third.eventIds);
    outbox.complete(first, first.eventIds.slice(1));
    expect(outbox.nextBatch({ maxEvents: 50, maxBytes: 1e6 })!.eventIds).toEqual([ids[0]]);
    expect(outbox.stats().pending).toBe(1 + 30 + 10);
  });

  it('keeps a batch under maxBytes and sends each snapshot beside its event, repeating the event when it went earlier', () => {
    const outbox = open();
    const events = makeEvents('cam-a', 6);
    const big = makeSnapshot(events[1]!.id, 60_000);
    const small = makeSnapshot(events[2]!.id, 2_000, 'frame');
    outbox.append(events, [big, small]);

    const first = outbox.nextBatch({ maxEvents: 100, maxBytes: 20_000 })!;
    expect(first.eventIds).toEqual(events.map((e) => e.id));
    expect(first.snapshotRows.map((s) => s.eventId)).toEqual([events[2]!.id]);
    expect(first.bytes).toBeLessThanOrEqual(20_000);
    expect(first.encode('0190a6e0-0000-7000-8000-000000000000', 'edge-1').length).toBeLessThanOrEqual(20_000);
    outbox.complete(first, first.eventIds);
    expect(outbox.stats()).toMatchObject({ pending: 0, pendingSnapshots: 1 });

    // The snapshot over maxBytes goes alone, with its (delivered) event repeated so the hub accepts it.
    const second = outbox.nextBatch({ maxEvents: 100, maxBytes: 20_000 })!;
    expect(second.eventIds).toEqual([]);
    expect(second.companions.map((c) => c.id)).toEqual([events[1]!.id]);
    const message = second.toEventBatch('0190a6e0-0000-7000-8000-000000000001', 'edge-1');
    expect(message.events.map((e) => e.id)).toEqual([events[1]!.id]);
    expect(message.snapshots).toEqual([big]);
    outbox.complete(second, [events[1]!.id]);
    expect(outbox.stats()).toMatchObject({ pending: 0, pendingSnapshots: 0, pendingBytes: 0 });
    expect(outbox.nextBatch({ maxEvents: 100, maxBytes: 20_000 })).toBeUndefined();
  });

  it('does not let a steady stream of events starve a snapshot that did not fit', () => {
    const outbox = open();
    const withSnapshot = makeEvent('cam-a');
    outbox.append([withSnapshot, ...makeEvents('cam-a', 40)], [makeSnapshot(withSnapshot.id, 12_000)]);
    const options = { maxEvents: 40, maxBytes: 20_000 };
    let snapshotSentIn = -1;
    for (let round = 0; round < 5 && snapshotSentIn < 0; round++) {
      const batch = outbox.nextBatch(options)!;
      expect(batch.rows.length).toBeGreaterThan(0);
      if (batch.snapshotRows.length > 0) snapshotSentIn = round;
      outbox.complete(batch, [...batch.companions, ...batch.rows].map((r) => r.id));
      outbox.append(makeEvents('cam-a', 40));
    }
    expect(snapshotSentIn).toBe(1);
  });

  it('gives up an event the hub leaves out of its acks too often, counting it across a reopen', () => {
    const outbox = open('refusals.db', { maxRefusals: 3 });
    const events = makeEvents('cam-a', 4);
    const poison = events[1]!.id;
    outbox.append(events);
    const results = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const batch = outbox.nextBatch({ maxEvents: 10, maxBytes: 1e6 })!;
      expect(batch.eventIds[0]).toBe(attempt === 0 ? events[0]!.id : poison);
      results.push(outbox.complete(batch, batch.eventIds.filter((id) => id !== poison)));
      outbox.append(makeEvents('cam-a', 1));
    }
    expect(results.map((r) => r.notCommitted)).toEqual([[poison], [poison], []]);
    expect(results[2]!.refused).toEqual([poison]);
    expect(outbox.allEventIds()).not.toContain(poison);
    expect(outbox.stats()).toMatchObject({ refused: 1, pending: 1, dropped: 0 });
    outbox.close();
    expect(open('refusals.db').stats().refused).toBe(1);
  });

  it('refuses invalid events and snapshots for unknown events, storing nothing from that call', () => {
    const outbox = open();
    const good = makeEvent('cam-a');
    const bad = { ...makeEvent('cam-a'), confidence: 7 };
    expect(() => outbox.append([good, bad])).toThrow(OutboxInputError);
    expect(() => outbox.append([good, bad])).toThrow(/events\[1\]\.confidence/);
    expect(() => outbox.append([good], [makeSnapshot(makeEvent('cam-a').id, 100)])).toThrow(/neither in this append nor in the outbox/);
    expect(outbox.allEventIds()).toEqual([]);

    // Appending the same event twice (a retry) stores it once.
    expect(outbox.append([good])).toEqual({ events: 1, snapshots: 0 });
    expect(outbox.append([good], [makeSnapshot(good.id, 100)])).toEqual({ events: 0, snapshots: 1 });
    expect(outbox.allEventIds()).toEqual([good.id]);
    expect(outbox.stats().pending).toBe(1);
  });

  it('drops snapshots first, then the oldest events, counting drops across a reopen', () => {
    const path = 'budget.db';
    const outbox = open(path, { budgetBytes: 60_000 });
    const events = makeEvents('cam-a', 20);
    outbox.append(events);
    // A third 20 kB snapshot on top of the events goes over budget: only the oldest snapshot is dropped.
    outbox.append([], [makeSnapshot(events[0]!.id, 20_000), makeSnapshot(events[1]!.id, 20_000)]);
    outbox.append([], [makeSnapshot(events[2]!.id, 20_000)]);
    let stats = outbox.stats();
    expect(stats.dropped).toBe(0);
    expect(stats.droppedSnapshots).toBe(1);
    expect(stats.pendingSnapshots).toBe(2);
    expect(stats.pendingBytes).toBeLessThanOrEqual(60_000);

    // Far over budget: every snapshot goes, then the oldest events, never the newest.
    const flood = makeEvents('cam-a', 400);
    outbox.append(flood);
    stats = outbox.stats();
    expect(stats.pendingSnapshots).toBe(0);
    expect(stats.droppedSnapshots).toBe(3);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.pendingBytes).toBeLessThanOrEqual(60_000);
    const all = [...events, ...flood].map((e) => e.id);
    const kept = outbox.allEventIds();
    expect(kept).toEqual(all.slice(all.length - kept.length));
    expect(kept.length + stats.dropped).toBe(all.length);

    outbox.close();
    const reopened = open(path, { budgetBytes: 60_000 });
    expect(reopened.stats()).toEqual({ ...stats, inFlightBatches: 0 });
    reopened.append(makeEvents('cam-a', 50));
    const after = reopened.stats();
    // Event sizes differ by a few bytes, so 50 more events push out about 50 old ones.
    expect(after.dropped - stats.dropped).toBeGreaterThanOrEqual(45);
    expect(after.dropped - stats.dropped).toBeLessThanOrEqual(55);
    expect(after.pendingBytes).toBeLessThanOrEqual(60_000);
    expect(reopened.allEventIds().length + after.dropped).toBe(all.length + 50);
  });

  it('prunes delivered rows before dropping anything pending when over budget', () => {
    const outbox = open('prune-first.db', { budgetBytes: 30_000 });
    const old = makeEvents('cam-a', 60);
    outbox.append(old);
    drain(outbox);
    expect(outbox.stats().delivered).toBe(60);
    const fresh = makeEvents('cam-a', 100);
    outbox.append(fresh);
    const stats = outbox.stats();
    expect(stats.dropped).toBe(0);
    expect(stats.pending).toBe(100);
    expect(stats.delivered).toBeGreaterThan(0);
    expect(stats.delivered).toBeLessThan(60);
    expect(outbox.allEventIds().slice(-100)).toEqual(fresh.map((e) => e.id));
  });

  it('keeps delivered events for the retention period, then prunes them', () => {
    let now = 1_000_000;
    const outbox = open('retention.db', { retentionMs: 60_000, now: () => now });
    const events = makeEvents('cam-a', 10);
    const snapshotOwner = events[9]!;
    outbox.append(events, [makeSnapshot(snapshotOwner.id, 30_000)]);
    const batch = outbox.nextBatch({ maxEvents: 100, maxBytes: 10_000 })!;
    expect(batch.snapshotRows).toHaveLength(0);
    outbox.complete(batch, batch.eventIds);
    expect(outbox.allEventIds()).toEqual(events.map((e) => e.id));

    now += 59_000;
    expect(outbox.prune()).toBe(0);
    now += 2_000;
    // Gone, except the event whose snapshot still waits: the snapshot needs it beside it.
    expect(outbox.prune()).toBe(9);
    expect(outbox.allEventIds()).toEqual([snapshotOwner.id]);
    expect(outbox.stats()).toMatchObject({ delivered: 1, pending: 0, pendingSnapshots: 1 });
    const late: OutboxBatch = outbox.nextBatch({ maxEvents: 100, maxBytes: 10_000 })!;
    expect(late.companions.map((c) => c.id)).toEqual([snapshotOwner.id]);
    outbox.complete(late, [snapshotOwner.id]);
    now += 61_000;
    outbox.prune();
    expect(outbox.allEventIds()).toEqual([]);
    expect(outbox.stats()).toMatchObject({ delivered: 0, pendingBytes: 0 });
  });

  it('a second instance opened without closing the first sees every row once', () => {
    const first = open('shared.db');
    const events = makeEvents('cam-a', 120);
    first.append(events.slice(0, 60));
    const delivered = first.nextBatch({ maxEvents: 25, maxBytes: 1e6 })!;
    first.complete(delivered, delivered.eventIds);
    first.nextBatch({ maxEvents: 25, maxBytes: 1e6 }); // in flight when the process "dies"
    first.append(events.slice(60, 90));
    // No close(): the first instance is abandoned as if its process was killed.

    const second = open('shared.db');
    expect(second.allEventIds()).toEqual(events.slice(0, 90).map((e) => e.id));
    expect(second.stats()).toMatchObject({ pending: 65, delivered: 25, inFlightBatches: 0 });
    second.append(events.slice(90));
    const sent = drain(second, 40);
    expect(sent).toEqual(events.slice(25).map((e) => e.id));
    expect(new Set(second.allEventIds()).size).toBe(120);
  });
});
