/**
 * Run by outbox-crash.test.ts with `node --import tsx`: appends to an outbox (and acknowledges a batch now and
 * then, as the sender would) until it is killed. Before each append it prints the ids it is about to store, after
 * append() returns it prints "done"; stdout to a pipe is synchronous on Linux, so a printed "done" means durable.
 */
import { writeSync } from 'node:fs';
import { Outbox } from '../src/outbox/index.js';
import { makeEvents, makeSnapshot } from './outbox-helpers.js';

const path = process.argv[2];
if (!path) throw new Error('usage: outbox-crash-child.ts <outbox.db>');
const outbox = Outbox.open(path, { budgetBytes: 1024 * 1024 * 1024 });
writeSync(1, 'ready\n');
for (let round = 0; ; round++) {
  const events = makeEvents(`cam-${round % 3}`, 1 + (round % 25));
  const snapshots = round % 4 === 0 ? [makeSnapshot(events[0]!.id, 4_000)] : [];
  writeSync(1, `begin ${events.map((e) => e.id).join(',')}\n`);
  outbox.append(events, snapshots);
  writeSync(1, 'done\n');
  if (round % 7 === 0) {
    const batch = outbox.nextBatch({ maxEvents: 40, maxBytes: 64 * 1024 });
    if (batch) outbox.complete(batch, batch.eventIds);
  }
}
