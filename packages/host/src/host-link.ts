import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopics, type DeviceStatus } from '@sightline/protocol';

export interface HostLinkOptions {
  url: string;
  hostId: string;
  username: string;
  password: string;
  log: Logger;
  reconnectMs?: number;
}

/**
 * The host's MQTT connection: device credentials (client id = host id, enforced by the hub's broker), a retained
 * "online" status with a retained "offline" last will, and the hub's session commands.
 */
export class HostLink extends EventEmitter<{ command: [Buffer]; connection: [boolean] }> {
  readonly topics: ReturnType<typeof deviceTopics>;
  readonly #client: MqttClient;
  readonly #log: Logger;
  #connected = false;

  constructor(options: HostLinkOptions) {
    super();
    this.#log = options.log;
    this.topics = deviceTopics(options.hostId);
    const offline: DeviceStatus = { online: false, ts: Date.now() };
    this.#client = mqtt.connect(options.url, {
      clientId: options.hostId,
      username: options.username,
      password: options.password,
      protocolVersion: 4,
      clean: true,
      keepalive: 15,
      reconnectPeriod: options.reconnectMs ?? 2000,
      connectTimeout: 10_000,
      will: { topic: this.topics.status, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    // Commands are small and a player waits for each: no Nagle delay.
    this.#client.on('connect', () => (this.#client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true));
    this.#client.on('connect', () => void this.#onConnect());
    this.#client.on('close', () => this.#setConnected(false));
    this.#client.on('error', (err) => options.log.warn({ err: err.message }, 'mqtt error'));
    this.#client.on('message', (topic, payload) => {
      if (topic === this.topics.sessions) this.emit('command', payload);
    });
  }

  get connected(): boolean {
    return this.#connected && this.#client.connected;
  }

  async publish(topic: string, payload: string, qos: 0 | 1 = 1): Promise<void> {
    await this.#client.publishAsync(topic, payload, { qos });
  }

  async close(): Promise<void> {
    if (this.#client.connected) {
      const offline: DeviceStatus = { online: false, ts: Date.now() };
      await Promise.race([
        this.#client.publishAsync(this.topics.status, JSON.stringify(offline), { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    await this.#client.endAsync(true);
  }

  async #onConnect(): Promise<void> {
    try {
      await this.#client.subscribeAsync(this.topics.sessions, { qos: 1 });
      const online: DeviceStatus = { online: true, ts: Date.now() };
      await this.#client.publishAsync(this.topics.status, JSON.stringify(online), { qos: 1, retain: true });
      this.#log.info('connected to the hub broker');
      this.#setConnected(true);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'mqtt session setup failed');
    }
  }

  #setConnected(connected: boolean): void {
    if (connected === this.#connected) return;
    this.#connected = connected;
    if (!connected) this.#log.warn('disconnected from the hub broker; sessions go on');
    this.emit('connection', connected);
  }
}
