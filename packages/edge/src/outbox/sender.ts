import { randomUUID } from 'node:crypto';
import { EventAckSchema, deviceTopics } from '@sightline/protocol';
import type { EventAck } from '@sightline/protocol';
import pino from 'pino';
import type { OutboxBatch } from './batch.js';
import type { Outbox } from './outbox.js';
import type { EventTransport } from './transport.js';

/** The little the sender logs; a pino logger fits. */
export interface SenderLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface OutboxSenderOptions {
  deviceId: string;
  /** Events per batch. Default 500. */
  maxEvents?: number;
  /** Bytes per batch, below the hub's MQTT payload limit (4 MiB by default). Default 1 MiB. */
  maxBytes?: number;
  /** Batches published and not yet acknowledged at once. Default 3. */
  window?: number;
  /** How long to wait for a batch's ack before sending its events again. Default 10 s. */
  ackTimeoutMs?: number;
  /** Pause after a failed publish or outbox read before trying again. Default 1 s. */
  retryDelayMs?: number;
  /** A wake-up that does not depend on append notifications, as a safety net. Default 1 s. */
  idleCheckMs?: number;
  logger?: SenderLogger;
}

export interface OutboxSenderStats {
  inFlight: number;
  batchesSent: number;
  batchesAcked: number;
  eventsDelivered: number;
  ackTimeouts: number;
  publishFailures: number;
  /** Batches given back to the outbox to be sent again (after a timeout, a failure or a disconnect). */
  batchesReleased: number;
  /** Acks whose batch was no longer in flight; their events are marked delivered all the same. */
  lateAcks: number;
  /** Ack messages that were not JSON or not an EventAck, ignored. */
  badAcks: number;
}

interface InFlightBatch {
  batchId: string;
  batch: OutboxBatch;
  timer: NodeJS.Timeout;
}

/**
 * Drains an Outbox to the hub: publishes EventBatch messages at QoS 1 while connected, keeps a small window of
 * batches in flight, and marks events delivered only when the hub's EventAck for their batch arrives, which the
 * hub sends after committing.
 *
 * Order: batches leave in seq order and the hub processes a device's batches in order. When a batch times out or
 * fails, it and every later batch in flight are given back, so the resend starts again at the oldest unacknowledged
 * event; the hub deduplicates by event id, so a repeat is harmless.
 */
export class OutboxSender {
  private readonly inFlight: InFlightBatch[] = [];
  private readonly topic: string;
  private readonly deviceId: string;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly idleCheckMs: number;
  private readonly log: SenderLogger;
  private readonly counters: Omit<OutboxSenderStats, 'inFlight'> = {
    batchesSent: 0,
    batchesAcked: 0,
    eventsDelivered: 0,
    ackTimeouts: 0,
    publishFailures: 0,
    batchesReleased: 0,
    lateAcks: 0,
    badAcks: 0,
  };
  private running = false;
  /** After a timeout only one batch goes out until an ack proves the hub is back (see handleAckTimeout). */
  private probing = false;
  private pumpScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private unsubscribes: (() => void)[] = [];

  constructor(
    private readonly outbox: Outbox,
    private readonly transport: EventTransport,
    options: OutboxSenderOptions,
  ) {
    this.deviceId = options.deviceId;
    this.topic = deviceTopics(options.deviceId).events;
    this.maxEvents = options.maxEvents ?? 500;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.window = Math.max(1, options.window ?? 3);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.idleCheckMs = options.idleCheckMs ?? 1000;
    this.log = options.logger ?? pino({ name: 'outbox-sender' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribes = [
      this.outbox.onAppend(() => this.schedulePump()),
      this.transport.onAck((payload) => this.handleAck(payload)),
      this.transport.onConnectionChange((connected) => (connected ? this.handleConnect() : this.handleDisconnect())),
    ];
    this.idleTimer = setInterval(() => this.schedulePump(), this.idleCheckMs);
    this.idleTimer.unref();
    this.schedulePump();
  }

  /** Stops at once: in-flight batches go back to the outbox (their events stay pending) and nothing more is sent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    clearInterval(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.releaseFrom(0);
  }

  stats(): OutboxSenderStats {
    return { inFlight: this.inFlight.length, ...this.counters };
  }

  private schedulePump(): void {
    if (this.pumpScheduled || !this.running) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (!this.running || !this.transport.connected || this.retryTimer) return;
    while (this.inFlight.length < (this.probing ? 1 : this.window)) {
      let batch: OutboxBatch | undefined;
      try {
        batch = this.outbox.nextBatch({ maxEvents: this.maxEvents, maxBytes: this.maxBytes });
      } catch (err) {
        this.log.error({ err }, 'outbox: reading the next batch failed');
        this.retryLater();
        return;
      }
      if (!batch) return;
      this.send(batch);
    }
  }

  private send(batch: OutboxBatch): void {
    const batchId = randomUUID();
    const entry: InFlightBatch = {
      batchId,
      batch,
      timer: setTimeout(() => this.handleAckTimeout(entry), this.ackTimeoutMs),
    };
    this.inFlight.push(entry);
    this.counters.batchesSent++;
    let published: Promise<void>;
    try {
      published = this.transport.publish(this.topic, batch.encode(batchId, this.deviceId), 1);
    } catch (err) {
      published = Promise.reject(err);
    }
    published.catch((err: unknown) => this.handlePublishFailure(entry, err));
  }

  private handleAck(payload: unknown): void {
    let value = payload;
    try {
      if (payload instanceof Uint8Array) value = JSON.parse(Buffer.from(payload).toString('utf8'));
      else if (typeof payload === 'string') value = JSON.parse(payload);
    } catch {
      this.counters.badAcks++;
      this.log.warn({ deviceId: this.deviceId }, 'event ack ignored: not JSON');
      return;
    }
    const parsed = EventAckSchema.safeParse(value);
    if (!parsed.success) {
      this.counters.badAcks++;
      const issue = parsed.error.issues[0];
      this.log.warn({ deviceId: this.deviceId, path: issue?.path.join('.'), issue: issue?.message }, 'event ack ignored: invalid');
      return;
    }
    try {
      this.applyAck(parsed.data);
    } catch (err) {
      this.log.error({ err, batchId: parsed.data.batchId }, 'outbox: recording an ack failed; its events will be sent again');
    }
  }

  private applyAck(ack: EventAck): void {
    const index = this.inFlight.findIndex((entry) => entry.batchId === ack.batchId);
    if (index < 0) {
      // The batch timed out or was given back, but the hub did commit these events: no need to send them again.
      this.counters.lateAcks++;
      if (ack.ids.length > 0) this.counters.eventsDelivered += this.outbox.markDelivered(ack.ids);
      return;
    }
    const [entry] = this.inFlight.splice(index, 1);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.counters.batchesAcked++;
    this.probing = false;
    try {
      const result = this.outbox.complete(entry.batch, ack.ids);
      this.counters.eventsDelivered += result.delivered;
      if (result.notCommitted.length > 0) {
        this.log.warn(
          { batchId: ack.batchId, count: result.notCommitted.length, first: result.notCommitted[0] },
          'hub ack left out events of its batch; they will be sent again',
        );
      }
      if (result.refused.length > 0) {
        this.log.error(
          { batchId: ack.batchId, count: result.refused.length, first: result.refused[0] },
          'hub keeps leaving events out of its acks; given up as refused',
        );
      }
    } finally {
      this.schedulePump();
    }
  }

  private handleAckTimeout(entry: InFlightBatch): void {
    const index = this.inFlight.indexOf(entry);
    if (index < 0) return;
    this.counters.ackTimeouts++;
    this.log.warn(
      { batchId: entry.batchId, events: entry.batch.rows.length, afterMs: this.ackTimeoutMs },
      'no ack for event batch; sending its events again',
    );
    this.releaseFrom(index);
    // The hub may be down while the broker still takes messages. With a full window, new batches published the
    // moment it is back could be committed before the resend of older lost ones; one batch at a time until an
    // ack arrives keeps the resend first.
    this.probing = true;
    this.schedulePump();
  }

  private handlePublishFailure(entry: InFlightBatch, err: unknown): void {
    const index = this.inFlight.indexOf(entry);
    if (index < 0) return;
    this.counters.publishFailures++;
    this.log.warn({ batchId: entry.batchId, err }, 'publishing event batch failed; retrying');
    this.releaseFrom(index);
    this.retryLater();
  }

  private handleConnect(): void {
    // A reconnect is a fresh chance: no need to sit out a retry pause from the old connection.
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.schedulePump();
  }

  private handleDisconnect(): void {
    this.releaseFrom(0);
  }

  /** Gives back the batch at `index` and every later one, so a resend keeps seq order. */
  private releaseFrom(index: number): void {
    const released = this.inFlight.splice(index);
    for (const entry of released) {
      clearTimeout(entry.timer);
      this.outbox.release(entry.batch);
    }
    if (this.running) this.counters.batchesReleased += released.length;
  }

  private retryLater(): void {
    if (this.retryTimer || !this.running) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedulePump();
    }, this.retryDelayMs);
  }
}
