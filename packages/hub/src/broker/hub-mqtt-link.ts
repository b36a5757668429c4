import mqtt, { type MqttClient } from 'mqtt';
import { TOPIC_ROOT, deviceIdOfTopic } from '@sightline/protocol';
import type { Logger } from 'pino';

export type DeviceMessageKind = 'events' | 'heartbeat' | 'status' | 'configApplied' | 'liveOverlay' | 'hostHeartbeat' | 'sessionState';

export type DeviceMessageHandler = (kind: DeviceMessageKind, deviceId: string, payload: Buffer) => Promise<void>;

const SUFFIX_KIND: Record<string, DeviceMessageKind> = {
  events: 'events',
  heartbeat: 'heartbeat',
  status: 'status',
  'config/applied': 'configApplied',
  'live/overlay': 'liveOverlay',
  'host/heartbeat': 'hostHeartbeat',
  'sessions/state': 'sessionState',
};

export interface HubMqttLinkOptions {
  url: string;
  username: string;
  password: string;
  maxPayloadBytes: number;
  /** Bytes of one device's messages waiting for their handler; past it, that device's messages are dropped. Default 64 MiB. */
  maxQueuedBytesPerDevice?: number;
  log: Logger;
  onRejected?: (reason: string) => void;
}

/**
 * The hub's own MQTT client, the same code for the embedded broker and an external one. Messages of one device are
 * handled strictly in order (a device's event batches commit in the order it sent them); devices run concurrently.
 */
export class HubMqttLink {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly queuedBytes = new Map<string, number>();
  private handler: DeviceMessageHandler = async () => {};

  private constructor(
    private readonly client: MqttClient,
    private readonly options: HubMqttLinkOptions,
  ) {
    client.on('message', (topic, payload) => this.dispatch(topic, payload));
  }

  static async connect(options: HubMqttLinkOptions): Promise<HubMqttLink> {
    const client = mqtt.connect(options.url, {
      username: options.username,
      password: options.password,
      clientId: `sightline-hub-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    // An EventAck follows the PUBACK of its batch as a second small write; under Nagle's algorithm it waits for
    // the broker's delayed TCP ACK, which added about 40 ms to every ack. Set again on every (re)connection.
    client.on('connect', () => (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        client.end(true);
        reject(new Error(`cannot connect the hub to the MQTT broker at ${redact(options.url)}: ${err.message}`));
      };
      client.once('connect', () => {
        client.off('error', onError);
        resolve();
      });
      client.once('error', onError);
    });
    client.on('error', (err) => options.log.warn({ err: err.message }, 'mqtt link error'));
    client.on('offline', () => options.log.warn('mqtt link offline; reconnecting'));
    const link = new HubMqttLink(client, options);
    const topics = ['events', 'heartbeat', 'status', 'config/applied', 'host/heartbeat', 'sessions/state'].map((s) => `${TOPIC_ROOT}/+/${s}`);
    await client.subscribeAsync(topics, { qos: 1 });
    // Overlays are worthless late: at most once, and never queued behind a device's event batches.
    await client.subscribeAsync(`${TOPIC_ROOT}/+/live/overlay`, { qos: 0 });
    return link;
  }

  private get maxQueuedBytes(): number {
    return this.options.maxQueuedBytesPerDevice ?? 64 * 1024 * 1024;
  }

  setHandler(handler: DeviceMessageHandler): void {
    this.handler = handler;
  }

  async publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
    await this.client.endAsync();
  }

  private dispatch(topic: string, payload: Buffer): void {
    const deviceId = deviceIdOfTopic(topic);
    const suffix = deviceId ? topic.slice(TOPIC_ROOT.length + deviceId.length + 2) : '';
    const kind = SUFFIX_KIND[suffix];
    if (!deviceId || !kind) return; // our own publications (acks, config) and foreign topics
    if (payload.length > this.options.maxPayloadBytes) {
      this.options.log.warn({ deviceId, topic, bytes: payload.length }, 'device message over the size limit refused');
      this.options.onRejected?.('oversized');
      return;
    }
    if (kind === 'liveOverlay') {
      this.handler(kind, deviceId, payload).catch((err: unknown) => this.options.log.warn({ err, deviceId }, 'live overlay refused'));
      return;
    }
    // The broker has already acknowledged the message, so a device publishing faster than the hub commits would grow
    // this queue without end. Past the budget its messages are dropped: unacknowledged events are sent again by the
    // edge's outbox, and the next heartbeat replaces a lost one.
    const queued = this.queuedBytes.get(deviceId) ?? 0;
    if (queued + payload.length > this.maxQueuedBytes) {
      this.options.log.warn({ deviceId, kind, queuedBytes: queued }, 'device message dropped: the device is far ahead of the hub');
      this.options.onRejected?.('backlog');
      return;
    }
    this.queuedBytes.set(deviceId, queued + payload.length);
    const previous = this.queues.get(deviceId) ?? Promise.resolve();
    const next = previous
      .then(() => this.handler(kind, deviceId, payload))
      .catch((err: unknown) => this.options.log.error({ err, deviceId, kind }, 'device message handler failed'))
      .finally(() => {
        const left = (this.queuedBytes.get(deviceId) ?? 0) - payload.length;
        if (left > 0) this.queuedBytes.set(deviceId, left);
        else this.queuedBytes.delete(deviceId);
      });
    this.queues.set(deviceId, next);
    void next.then(() => {
      if (this.queues.get(deviceId) === next) this.queues.delete(deviceId);
    });
  }
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
