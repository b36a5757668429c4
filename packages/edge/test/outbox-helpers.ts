import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBatchSchema, newId } from '@sightline/protocol';
import type { EventBatch, SightlineEvent, Snapshot } from '@sightline/protocol';
import type { EventTransport, SenderLogger } from '../src/outbox/index.js';

export function tempDir(prefix = 'sightline-outbox-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let frame = 0;

export function makeEvent(cameraId: string, overrides: Partial<SightlineEvent> = {}): SightlineEvent {
  frame++;
  return {
    id: newId(),
    type: 'zone.enter',
    zoneId: 'dock',
    cameraId,
    sourceTs: frame / 10,
    wallTime: Date.now(),
    frameIndex: frame,
    trackId: 1 + (frame % 50),
    classId: 0,
    label: 'person',
    confidence: 0.9,
    bbox: [0.1, 0.2, 0.3, 0.4],
    ...overrides,
  } as SightlineEvent;
}

export function makeEvents(cameraId: string, count: number): SightlineEvent[] {
  return Array.from({ length: count }, () => makeEvent(cameraId));
}

/** A snapshot whose base64 text is about `bytes` long and starts like a JPEG (the hub checks the magic bytes). */
export function makeSnapshot(eventId: string, bytes: number, kind: Snapshot['kind'] = 'crop'): Snapshot {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(Math.max(4, Math.floor((bytes * 3) / 4)), 7)]);
  return { eventId, kind, width: 64, height: 48, jpeg: jpeg.toString('base64') };
}

export const quietLogger = (): SenderLogger & { warnings: string[]; errors: string[] } => {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, warn: (_details, message) => warnings.push(message), error: (_details, message) => errors.push(message) };
};

/**
 * An in-memory stand-in for the broker plus the hub: batches are processed one at a time in arrival order,
 * committed with deduplication by event id, and acknowledged after the commit. Knobs lose batches or acks,
 * drop the connection, or hold acks back.
 */
export class FakeHub implements EventTransport {
  connected = true;
  /** Committed events, in commit order, each once. */
  readonly committed: SightlineEvent[] = [];
  readonly committedIds = new Set<string>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly batches: EventBatch[] = [];
  duplicates = 0;
  /** Snapshots refused like the real hub refuses them: not next to their event. */
  orphanSnapshots = 0;
  /** Batches published and not yet processed or acknowledged, at most. */
  maxOutstanding = 0;
  /** While true, batches vanish (the hub is down, the broker still takes messages). */
  losingBatches = false;
  /** While > 0, commits happen but the ack is lost. */
  acksToLose = 0;
  /** Validate every batch against the protocol schema (slower). */
  validate = true;
  private outstanding = 0;
  private readonly ackListeners = new Set<(payload: unknown) => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private heldAcks: Buffer[] = [];
  holdAcks = false;

  constructor(readonly deviceId = 'edge-1') {}

  publish(topic: string, payload: Buffer, qos: 1): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    if (qos !== 1 || topic !== `sightline/v1/devices/${this.deviceId}/events`) throw new Error(`unexpected publish ${topic} qos ${qos}`);
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const lost = this.losingBatches;
    setImmediate(() => {
      this.outstanding--;
      if (lost || !this.connected) return;
      this.process(payload);
    });
    return Promise.resolve();
  }

  onAck(listener: (payload: unknown) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    for (const listener of this.connectionListeners) listener(connected);
  }

  /** Sends anything on the ack topic, as a broker would deliver it. */
  sendAck(payload: unknown): void {
    for (const listener of this.ackListeners) listener(payload);
  }

  /** Acks held back are lost (with the connection that would have carried them). */
  discardHeldAcks(): void {
    this.holdAcks = false;
    this.heldAcks = [];
  }

  releaseHeldAcks(): void {
    this.holdAcks = false;
    const held = this.heldAcks;
    this.heldAcks = [];
    for (const ack of held) this.sendAck(ack);
  }

  committedOf(cameraId: string): string[] {
    return this.committed.filter((e) => e.cameraId === cameraId).map((e) => e.id);
  }

  private process(payload: Buffer): void {
    const raw = JSON.parse(payload.toString('utf8')) as unknown;
    const batch = this.validate ? EventBatchSchema.parse(raw) : (raw as EventBatch);
    this.batches.push(batch);
    const inBatch = new Set<string>();
    for (const event of batch.events) {
      inBatch.add(event.id);
      if (this.committedIds.has(event.id)) {
        this.duplicates++;
        continue;
      }
      this.committedIds.add(event.id);
      this.committed.push(event);
    }
    for (const snapshot of batch.snapshots ?? []) {
      if (!inBatch.has(snapshot.eventId)) this.orphanSnapshots++;
      else this.snapshots.set(`${snapshot.eventId}/${snapshot.kind}`, snapshot);
    }
    if (this.acksToLose > 0) {
      this.acksToLose--;
      return;
    }
    const ack = Buffer.from(JSON.stringify({ batchId: batch.batchId, ids: batch.events.map((e) => e.id), committedAt: Date.now() }));
    if (this.holdAcks) this.heldAcks.push(ack);
    else this.sendAck(ack);
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
