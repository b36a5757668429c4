import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopics, type DeviceStatus } from '@sightline/protocol';

export interface DeviceLinkOptions {
  url: string;
  deviceId: string;
  username: string;
  password: string;
  log: Logger;
  reconnectMs?: number;
}

/**
 * The edge's MQTT connection: logs in with the device credentials (client id = device id, which the hub's broker
 * enforces), announces itself online (retained) and leaves a retained "offline" last will, so the hub sees a lost
 * device at once. It implements the outbox sender's transport.
 */
export class DeviceLink extends EventEmitter<{ config: [Buffer]; ack: [Buffer]; live: [Buffer]; connection: [boolean] }> {
  readonly topics: ReturnType<typeof deviceTopics>;
  private readonly client: MqttClient;
  private wasConnected = false;

  constructor(private readonly options: DeviceLinkOptions) {
    super();
    this.topics = deviceTopics(options.deviceId);
    const offline: DeviceStatus = { online: false, ts: Date.now() };
    this.client = mqtt.connect(options.url, {
      clientId: options.deviceId,
      username: options.username,
      password: options.password,
      protocolVersion: 4,
      clean: true,
      keepalive: 15,
      reconnectPeriod: options.reconnectMs ?? 2000,
      connectTimeout: 10_000,
      will: { topic: this.topics.status, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    // Small messages (acks' PUBACKs, heartbeats) must not wait for Nagle's algorithm and a delayed TCP ACK.
    this.client.on('connect', () => (this.client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true));
    this.client.on('connect', () => void this.onConnect());
    this.client.on('close', () => this.setConnected(false));
    this.client.on('error', (err) => options.log.warn({ err: err.message }, 'mqtt error'));
    this.client.on('message', (topic, payload) => {
      if (topic === this.topics.config) this.emit('config', payload);
      else if (topic === this.topics.eventsAck) this.emit('ack', payload);
      else if (topic === this.topics.live) this.emit('live', payload);
    });
  }

  private async onConnect(): Promise<void> {
    try {
      await this.client.subscribeAsync([this.topics.config, this.topics.eventsAck, this.topics.live], { qos: 1 });
      const online: DeviceStatus = { online: true, ts: Date.now() };
      await this.client.publishAsync(this.topics.status, JSON.stringify(online), { qos: 1, retain: true });
      this.options.log.info({ url: this.options.url }, 'connected to the hub broker');
      this.setConnected(true);
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'mqtt session setup failed');
    }
  }

  private setConnected(connected: boolean): void {
    if (connected === this.wasConnected) return;
    this.wasConnected = connected;
    if (!connected) this.options.log.warn('disconnected from the hub broker; events wait in the outbox');
    this.emit('connection', connected);
  }

  get connected(): boolean {
    return this.wasConnected && this.client.connected;
  }

  async publish(topic: string, payload: Buffer | string, qos: 0 | 1 = 1, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos, retain });
  }

  /** Announces a clean shutdown (the will only fires on a lost connection) and disconnects. */
  async close(): Promise<void> {
    if (this.client.connected) {
      const offline: DeviceStatus = { online: false, ts: Date.now() };
      await Promise.race([
        this.client.publishAsync(this.topics.status, JSON.stringify(offline), { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    await this.client.endAsync(true);
  }
}
