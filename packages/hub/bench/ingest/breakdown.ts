import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBatchSchema, type EventAck, type EventBatch } from '@sightline/protocol';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { createDatabase } from './services.js';
import { SyntheticEvents } from './synthetic-events.js';

export interface StageCost {
  stage: string;
  /** Microseconds of one core per event. */
  usPerEvent: number;
}

const BATCHES = 60;
const BATCH_EVENTS = 375;

/**
 * The hub's per-batch ingest steps timed one by one, in this process, without MQTT or HTTP: where a core's time
 * goes for each event, and so the most any configuration could reach if that step were all the hub did.
 */
export async function measureIngestStages(pgUrl: string | undefined): Promise<StageCost[]> {
  const source = new SyntheticEvents('bench-breakdown', 0);
  const payloads = Array.from({ length: BATCHES }, () => Buffer.from(JSON.stringify(source.batch(BATCH_EVENTS).batch)));
  const events = BATCHES * BATCH_EVENTS;
  const perEvent = (ms: number) => (ms * 1000) / events;
  const costs: StageCost[] = [];

  const parsed: unknown[] = payloads.map((p) => JSON.parse(p.toString('utf8')));
  costs.push({ stage: 'JSON.parse of the payload', usPerEvent: perEvent(timeEach(payloads, (p) => JSON.parse(p.toString('utf8')))) });
  const batches: EventBatch[] = parsed.map((json) => EventBatchSchema.parse(json));
  costs.push({ stage: 'EventBatchSchema.safeParse (zod)', usPerEvent: perEvent(timeEach(parsed, (json) => EventBatchSchema.safeParse(json))) });
  const ack = (b: EventBatch): EventAck => ({ batchId: b.batchId, ids: b.events.map((e) => e.id), committedAt: Date.now() });
  costs.push({ stage: 'EventAck JSON.stringify', usPerEvent: perEvent(timeEach(batches, (b) => JSON.stringify(ack(b)))) });

  const dataDir = await mkdtemp(join(tmpdir(), 'sightline-bench-breakdown-'));
  try {
    const sqlite = createStore({ dataDir });
    costs.push({ stage: 'store.ingest, SQLite (one transaction per batch)', usPerEvent: perEvent(await timeIngest(sqlite, batches)) });
    if (pgUrl) {
      const db = await createDatabase(pgUrl, `bench_ingest_breakdown_${process.pid}`);
      try {
        const postgres = createStore({ url: db.url, dataDir });
        costs.push({ stage: 'store.ingest, PostgreSQL (round trips included)', usPerEvent: perEvent(await timeIngest(postgres, batches)) });
      } finally {
        await db.drop();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return costs;
}

/** Best of three passes over all items, in ms; the first pass also warms the JIT. */
function timeEach<T>(items: T[], work: (item: T) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    for (const item of items) work(item);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Ingests every batch into a freshly migrated store, one after another as one device's would be; ms. */
async function timeIngest(store: Store, batches: EventBatch[]): Promise<number> {
  try {
    await store.migrate();
    // A first pass of a third of the batches under another device: JIT warm-up and a non-empty table.
    for (const b of batches.slice(0, BATCHES / 3)) await store.ingest('bench-warmup', b.events.map((e) => ({ ...e, id: swapId(e.id) })), [], Date.now());
    const start = performance.now();
    for (const b of batches) await store.ingest(b.deviceId, b.events, [], Date.now());
    return performance.now() - start;
  } finally {
    await store.close();
  }
}

/** Another valid UUID for the warm-up copy of an event (flips the last hex digit's low bit). */
function swapId(id: string): string {
  const last = parseInt(id.slice(-1), 16) ^ 1;
  return id.slice(0, -1) + last.toString(16);
}
