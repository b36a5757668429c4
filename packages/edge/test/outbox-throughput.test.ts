import { join } from 'node:path';
import type { SightlineEvent } from '@sightline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, OutboxSender } from '../src/outbox/index.js';
import { FakeHub, makeEvents, quietLogger, tempDir, waitFor } from './outbox-helpers.js';

const TOTAL = 40_000;
const CHUNK = 500;

let dir: ReturnType<typeof tempDir>;
let outbox: Outbox;
let sender: OutboxSender;
let hub: FakeHub;

beforeEach(() => {
  dir = tempDir();
  outbox = Outbox.open(join(dir.dir, 'outbox.db'), { budgetBytes: 1024 * 1024 * 1024 });
  hub = new FakeHub('edge-1');
  // The real hub validates batches; this measures the edge side, so the fake hub only parses them.
  hub.validate = false;
  sender = new OutboxSender(outbox, hub, { deviceId: 'edge-1', maxEvents: 500, window: 3, logger: quietLogger() });
});
afterEach(async () => {
  await sender.stop();
  outbox.close();
  dir.remove();
});

function chunks(events: SightlineEvent[]): SightlineEvent[][] {
  return Array.from({ length: Math.ceil(events.length / CHUNK) }, (_, i) => events.slice(i * CHUNK, (i + 1) * CHUNK));
}

describe('outbox + sender throughput', () => {
  it('moves a backlog of events to the hub in batches of 500', async () => {
    const events = makeEvents('cam-a', TOTAL);
    for (const chunk of chunks(events)) outbox.append(chunk);
    const start = performance.now();
    sender.start();
    await waitFor(() => outbox.stats().pending === 0, 60_000, 'backlog drained');
    const seconds = (performance.now() - start) / 1000;
    const rate = Math.round(TOTAL / seconds);
    console.log(`outbox → sender → fake hub, backlog of ${TOTAL}: ${rate} events/s (${hub.batches.length} batches)`);
    expect(hub.committed.map((e) => e.id)).toEqual(events.map((e) => e.id));
    // The goal is well over 20,000/s; the bound is loose because other test files share the 2 cores.
    expect(rate).toBeGreaterThan(5_000);
  });

  it('keeps up while events are appended in chunks of 500 at the same time', async () => {
    const events = makeEvents('cam-a', TOTAL);
    sender.start();
    const start = performance.now();
    for (const chunk of chunks(events)) {
      outbox.append(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => hub.committed.length === TOTAL && outbox.stats().pending === 0, 60_000, 'all delivered');
    const seconds = (performance.now() - start) / 1000;
    const rate = Math.round(TOTAL / seconds);
    console.log(`append (validate + fsync) + send + ack, ${TOTAL} events: ${rate} events/s end to end`);
    expect(hub.committed.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(rate).toBeGreaterThan(5_000);
  });
});
