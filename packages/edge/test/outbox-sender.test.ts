import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { SightlineEvent } from '@sightline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, OutboxSender } from '../src/outbox/index.js';
import type { OutboxSenderOptions } from '../src/outbox/index.js';
import { FakeHub, makeEvents, makeSnapshot, quietLogger, tempDir, waitFor } from './outbox-helpers.js';

let dir: ReturnType<typeof tempDir>;
let outbox: Outbox;
let hub: FakeHub;
let sender: OutboxSender | undefined;
let logger: ReturnType<typeof quietLogger>;

beforeEach(() => {
  dir = tempDir();
  outbox = Outbox.open(join(dir.dir, 'outbox.db'), { budgetBytes: 256 * 1024 * 1024 });
  hub = new FakeHub('edge-1');
  logger = quietLogger();
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  outbox.close();
  dir.remove();
});

function startSender(options: Partial<OutboxSenderOptions> = {}): OutboxSender {
  sender = new OutboxSender(outbox, hub, { deviceId: 'edge-1', logger, ...options });
  sender.start();
  return sender;
}

/** Appends `rounds` batches of events spread over three cameras, as pipelines would. */
async function produce(rounds: number, perRound: number, pauseMs = 0): Promise<SightlineEvent[]> {
  const all: SightlineEvent[] = [];
  for (let i = 0; i < rounds; i++) {
    const events = makeEvents(['cam-a', 'cam-b', 'cam-c'][i % 3]!, perRound);
    outbox.append(events);
    all.push(...events);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return all;
}

/**
 * Waits until the outbox is drained: nothing pending and no batch in flight. `pending === 0` alone is not enough:
 * an ack that turns up after its batch timed out (a late ack, which a stalled event loop on a loaded machine can
 * cause at any ack timeout) marks the events delivered while their resend is still in flight, and that resend is
 * only finished by its own ack a moment later.
 */
async function waitForDrain(what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    () => outbox.stats().pending === 0 && outbox.stats().inFlightBatches === 0 && (sender?.stats().inFlight ?? 0) === 0,
    timeoutMs,
    what,
  );
}

/** Everything appended is committed exactly once at the hub, each camera in append order, and nothing is pending. */
function expectDeliveredInOrder(appended: SightlineEvent[]): void {
  expect(hub.committed.length).toBe(appended.length);
  expect(hub.committedIds.size).toBe(appended.length);
  for (const camera of ['cam-a', 'cam-b', 'cam-c']) {
    expect(hub.committedOf(camera)).toEqual(appended.filter((e) => e.cameraId === camera).map((e) => e.id));
  }
  expect(outbox.stats()).toMatchObject({ pending: 0, delivered: appended.length, inFlightBatches: 0 });
}

describe('OutboxSender', () => {
  it('drains the outbox in order with a bounded window of batches in flight', async () => {
    startSender({ maxEvents: 40, window: 3 });
    const appended = await produce(60, 17);
    await waitForDrain('drain');
    expectDeliveredInOrder(appended);
    expect(hub.maxOutstanding).toBeLessThanOrEqual(3);
    expect(hub.duplicates).toBe(0);
    expect(sender!.stats()).toMatchObject({ inFlight: 0, ackTimeouts: 0, badAcks: 0 });
    for (const batch of hub.batches) expect(batch.events.length).toBeLessThanOrEqual(40);
  });

  it('publishes within a few milliseconds of an append, without polling', async () => {
    startSender({ idleCheckMs: 60_000 });
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = hub.batches.length;
      const start = performance.now();
      outbox.append(makeEvents('cam-a', 1));
      await waitFor(() => hub.batches.length > before, 2000, 'publish');
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    // Waking is immediate; the bound is generous for a loaded 2-core machine (waitFor itself polls every 5 ms).
    expect(latencies[10]!).toBeLessThan(50);
  });

  it('sends snapshots with their events, delivering all of them', async () => {
    startSender({ maxBytes: 50_000 });
    const events = makeEvents('cam-a', 30);
    const snapshots = events.filter((_, i) => i % 3 === 0).map((e) => makeSnapshot(e.id, 20_000));
    outbox.append(events, snapshots);
    outbox.append([], [makeSnapshot(events[1]!.id, 80_000, 'frame')]);
    await waitFor(() => outbox.stats().pendingSnapshots === 0 && outbox.stats().pending === 0, 10_000, 'snapshots');
    expect(hub.orphanSnapshots).toBe(0);
    expect(hub.snapshots.size).toBe(snapshots.length + 1);
    expect(hub.committed.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(hub.batches.length).toBeGreaterThan(1);
  });

  it('resends after an ack timeout while the hub is down, losing and duplicating nothing', async () => {
    startSender({ maxEvents: 50, window: 2, ackTimeoutMs: 150 });
    const first = await produce(6, 20);
    await waitFor(() => hub.committed.length === first.length, 5000, 'first part');

    hub.losingBatches = true;
    const second = await produce(9, 20);
    await waitFor(() => sender!.stats().ackTimeouts >= 1, 5000, 'a timeout');
    expect(hub.committed.length).toBe(first.length);
    expect(outbox.stats().pending).toBe(second.length);

    hub.losingBatches = false;
    const third = await produce(6, 20);
    await waitForDrain('resend');
    expectDeliveredInOrder([...first, ...second, ...third]);
    expect(hub.duplicates).toBe(0);
    expect(sender!.stats().batchesReleased).toBeGreaterThanOrEqual(1);
  });

  it('resends when acks are lost; the hub deduplicates and late acks still count', async () => {
    startSender({ maxEvents: 30, window: 3, ackTimeoutMs: 150 });
    hub.acksToLose = 2;
    const appended = await produce(12, 10);
    await waitForDrain('drain');
    expectDeliveredInOrder(appended);
    expect(hub.duplicates).toBeGreaterThan(0);
    expect(sender!.stats().ackTimeouts).toBeGreaterThanOrEqual(1);

    // An ack that turns up after its batch was given back marks its events delivered all the same.
    // Nothing is in flight now (see waitForDrain), so the next ack timeout is this batch's own. Counting from
    // here, not from a fixed number: a loaded machine can stall the event loop past an ack timeout above too.
    const timeoutsBefore = sender!.stats().ackTimeouts;
    hub.holdAcks = true;
    const more = await produce(1, 5);
    await waitFor(() => hub.committed.length === appended.length + 5, 5000, 'commit of held batch');
    await waitFor(() => sender!.stats().ackTimeouts > timeoutsBefore, 5000, 'timeout of held batch');
    hub.holdAcks = false;
    const lateBefore = sender!.stats().lateAcks;
    hub.releaseHeldAcks();
    await waitForDrain('late ack', 5000);
    expect(sender!.stats().lateAcks).toBeGreaterThan(lateBefore);
    expectDeliveredInOrder([...appended, ...more]);
  });

  it('gives back in-flight batches on disconnect and delivers everything after reconnect', async () => {
    startSender({ maxEvents: 25, window: 4, ackTimeoutMs: 60_000 });
    hub.holdAcks = true;
    const before = await produce(9, 10);
    await waitFor(() => sender!.stats().inFlight === 4, 5000, 'full window');
    hub.setConnected(false);
    hub.discardHeldAcks(); // lost with the old connection
    expect(sender!.stats().inFlight).toBe(0);
    expect(outbox.stats().inFlightBatches).toBe(0);

    const during = await produce(9, 10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const batchesWhileDown = hub.batches.length;
    hub.setConnected(true);
    const after = await produce(6, 10);
    await waitForDrain('drain after reconnect');
    expect(hub.batches.length).toBeGreaterThan(batchesWhileDown);
    expectDeliveredInOrder([...before, ...during, ...after]);
  });

  it('retries after publish fails', async () => {
    let failures = 3;
    const publish = hub.publish.bind(hub);
    hub.publish = (topic, payload, qos) => (failures-- > 0 ? Promise.reject(new Error('broker said no')) : publish(topic, payload, qos));
    startSender({ retryDelayMs: 20 });
    const appended = await produce(3, 10);
    await waitForDrain('drain', 5000);
    expectDeliveredInOrder(appended);
    expect(sender!.stats().publishFailures).toBe(3);
    expect(logger.warnings).toContain('publishing event batch failed; retrying');
  });

  it('ignores malformed acks with a warning and keeps working', async () => {
    startSender();
    hub.sendAck(Buffer.from('not json'));
    hub.sendAck(Buffer.from(JSON.stringify({ batchId: 'nope', ids: [], committedAt: 1 })));
    hub.sendAck({ batchId: randomUUID(), ids: ['x'], committedAt: -1 });
    hub.sendAck(undefined);
    // A valid ack for a batch nobody sent, naming unknown ids, changes nothing.
    hub.sendAck(JSON.stringify({ batchId: randomUUID(), ids: [randomUUID()], committedAt: 5 }));
    expect(sender!.stats().badAcks).toBe(4);
    expect(logger.warnings.filter((w) => w.startsWith('event ack ignored'))).toHaveLength(4);
    const appended = await produce(3, 5);
    await waitForDrain('drain', 5000);
    expectDeliveredInOrder(appended);
  });

  it('stops promptly, leaving unacknowledged events pending for next time', async () => {
    startSender({ ackTimeoutMs: 60_000 });
    hub.holdAcks = true;
    const appended = await produce(3, 10);
    await waitFor(() => sender!.stats().inFlight > 0, 5000, 'in flight');
    const start = performance.now();
    await sender!.stop();
    expect(performance.now() - start).toBeLessThan(50);
    expect(outbox.stats()).toMatchObject({ pending: appended.length, inFlightBatches: 0 });
    outbox.append(makeEvents('cam-a', 3));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const published = hub.batches.length;
    hub.releaseHeldAcks(); // nobody listens any more
    expect(outbox.stats().pending).toBe(appended.length + 3);

    // A new sender (as after a restart) delivers everything.
    sender = new OutboxSender(outbox, hub, { deviceId: 'edge-1', logger });
    sender.start();
    await waitFor(() => outbox.stats().pending === 0, 5000, 'drain by new sender');
    expect(hub.batches.length).toBeGreaterThan(published);
    expect(hub.committedIds.size).toBe(appended.length + 3);
  });
});
