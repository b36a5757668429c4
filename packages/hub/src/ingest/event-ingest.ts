import type { Logger } from 'pino';
import { z } from 'zod';
import { EventBatchSchema, SightlineEventSchema, SnapshotSchema, deviceTopics, type EventAck, type EventBatch, type StoredEvent } from '@sightline/protocol';
import type { BlobStore } from '../blobs/blob-store.js';
import type { LiveEventBus } from '../live/live-event-bus.js';
import type { HubMetrics } from '../metrics.js';
import type { NewSnapshot, Store } from '../store/store.js';
import type { CameraOwners } from './camera-owners.js';

export interface EventIngestDeps {
  store: Store;
  blobs: BlobStore;
  bus: LiveEventBus;
  metrics: HubMetrics;
  owners: CameraOwners;
  log: Logger;
  publish: (topic: string, payload: string) => Promise<void>;
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/**
 * One event batch from one device: validate, write snapshots, commit events and snapshot refs in one transaction,
 * and only then acknowledge. A batch that fails validation is never acknowledged, so nothing is silently lost.
 */
export class EventIngest {
  constructor(private readonly deps: EventIngestDeps) {}

  /** Acknowledges exactly the ids now stored; ids left out tell the edge those events were refused. */
  private async ack(deviceId: string, batchId: string, ids: string[], committedAt = Date.now()): Promise<void> {
    const ack: EventAck = { batchId, ids, committedAt };
    await this.deps.publish(deviceTopics(deviceId).eventsAck, JSON.stringify(ack));
  }

  async handle(deviceId: string, payload: Buffer): Promise<void> {
    const { store, blobs, metrics, log } = this.deps;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      metrics.batchesRejected.inc({ reason: 'malformed' });
      log.warn({ deviceId }, 'event batch refused: not JSON');
      return;
    }
    const parsed = EventBatchSchema.safeParse(json);
    let batch: EventBatch;
    if (parsed.success) {
      batch = parsed.data;
    } else {
      // One bad event must not hold back the good ones behind it: keep the valid events, acknowledge only those,
      // and let the edge count the rest as refused after a few tries.
      const salvaged = salvageBatch(json);
      const issue = parsed.error.issues[0];
      metrics.batchesRejected.inc({ reason: 'invalid' });
      log.warn({ deviceId, path: issue?.path.join('.'), message: issue?.message, kept: salvaged?.events.length ?? 0 }, 'event batch partly invalid');
      if (!salvaged) return;
      batch = salvaged;
    }
    if (batch.deviceId !== deviceId) {
      metrics.batchesRejected.inc({ reason: 'wrong_device' });
      log.warn({ deviceId, claimed: batch.deviceId }, 'event batch refused: device id does not match its topic');
      return this.ack(deviceId, batch.batchId, []);
    }
    const foreign = new Set(await this.deps.owners.foreignCameras(deviceId, batch.events.map((e) => e.cameraId)));
    if (foreign.size > 0) {
      metrics.batchesRejected.inc({ reason: 'foreign_camera' });
      log.warn({ deviceId, cameras: [...foreign] }, "events refused: they name another device's cameras");
      batch = { ...batch, events: batch.events.filter((e) => !foreign.has(e.cameraId)) };
    }

    const eventIds = new Set(batch.events.map((e) => e.id));
    const snapshots: NewSnapshot[] = [];
    for (const snap of batch.snapshots) {
      const bytes = Buffer.from(snap.jpeg, 'base64');
      if (!eventIds.has(snap.eventId) || !JPEG_MAGIC.every((b, i) => bytes[i] === b)) {
        metrics.batchesRejected.inc({ reason: 'bad_snapshot' });
        log.warn({ deviceId, eventId: snap.eventId }, 'snapshot ignored: not a JPEG or not for an event of its batch');
        continue;
      }
      const day = new Date(batch.events.find((e) => e.id === snap.eventId)!.wallTime).toISOString().slice(0, 10);
      const blobKey = `snapshots/${day}/${snap.eventId}-${snap.kind}.jpg`;
      await blobs.put(blobKey, bytes);
      snapshots.push({ eventId: snap.eventId, kind: snap.kind, blobKey, width: snap.width, height: snap.height, bytes: bytes.length });
    }

    const now = Date.now();
    const result = await store.ingest(deviceId, batch.events, snapshots, now);
    metrics.eventsIngested.inc(result.inserted);
    metrics.eventDuplicates.inc(result.duplicates);
    const inserted = new Set(result.insertedIds);
    for (const e of batch.events) if (inserted.has(e.id)) metrics.ingestLag.observe(Math.max(0, now - e.wallTime) / 1000);

    await this.ack(deviceId, batch.batchId, batch.events.map((e) => e.id), now);

    const live: StoredEvent[] = batch.events
      .filter((e) => inserted.has(e.id))
      .map((event) => ({
        event,
        deviceId,
        ingestedAt: now,
        snapshots: snapshots
          .filter((s) => s.eventId === event.id)
          .map((s) => ({ kind: s.kind, width: s.width, height: s.height, url: snapshotUrl(event.id, s.kind) })),
      }));
    this.deps.bus.publish(live);
  }
}

function salvageBatch(json: unknown): EventBatch | undefined {
  const envelope = BatchEnvelopeSchema.safeParse(json);
  if (!envelope.success) return undefined;
  const events = envelope.data.events.flatMap((e) => {
    const r = SightlineEventSchema.safeParse(e);
    return r.success ? [r.data] : [];
  });
  const snapshots = envelope.data.snapshots.flatMap((s) => {
    const r = SnapshotSchema.safeParse(s);
    return r.success ? [r.data] : [];
  });
  return { batchId: envelope.data.batchId, deviceId: envelope.data.deviceId, events, snapshots };
}

const BatchEnvelopeSchema = z.object({
  batchId: z.string().uuid(),
  deviceId: z.string(),
  events: z.array(z.unknown()).max(5000),
  snapshots: z.array(z.unknown()).max(200).default([]),
});

export const snapshotUrl = (eventId: string, kind: 'crop' | 'frame') => `/api/v1/events/${eventId}/snapshots/${kind}`;
