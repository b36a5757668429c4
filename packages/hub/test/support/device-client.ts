import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { deviceTopics, type CreateDeviceResponse, type DeviceStatus, type EnrollResponse, type EventAck, type EventBatch } from '@sightline/protocol';
import { waitFor } from './wait.js';
import type { TestHub } from './test-hub.js';

export interface EnrolledDevice {
  id: string;
  credentials: EnrollResponse;
}

/** Creates a device through the API and enrolls it with its one-time token, as `sightline edge --token` does. */
export async function enrollDevice(hub: TestHub, id: string): Promise<EnrolledDevice> {
  const created = await hub.call<CreateDeviceResponse>('POST', '/api/v1/devices', { body: { id } });
  if (created.status !== 201) throw new Error(`device create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const enrolled = await hub.call<EnrollResponse>('POST', '/api/v1/enroll', { body: { token: created.body.enrollment.token }, token: null });
  if (enrolled.status !== 200) throw new Error(`enroll failed: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
  return { id, credentials: enrolled.body };
}

/** A received MQTT message. */
export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/**
 * A real mqtt.js client acting as an edge device: client id = device id, a retained "offline" last will on its
 * status topic (as the edge's DeviceLink sets it), and every message it receives kept for assertions.
 */
export class TestDevice {
  readonly received: Received[] = [];
  readonly topics: ReturnType<typeof deviceTopics>;

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    this.topics = deviceTopics(id);
    client.on('message', (topic, payload, packet) => this.received.push({ topic, payload, retain: packet.retain }));
  }

  static async connect(url: string, device: EnrolledDevice, overrides: Partial<IClientOptions> = {}): Promise<TestDevice> {
    const topics = deviceTopics(device.id);
    const offline: DeviceStatus = { online: false, ts: Date.now() };
    const client = mqtt.connect(url, {
      clientId: device.id,
      username: device.credentials.mqtt.username,
      password: device.credentials.mqtt.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: topics.status, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
      ...overrides,
    });
    await waitConnected(client);
    return new TestDevice(device.id, client);
  }

  async subscribeOwn(): Promise<void> {
    await this.client.subscribeAsync([this.topics.config, this.topics.eventsAck], { qos: 1 });
  }

  /** Says it is online (retained), as the edge does right after connecting. */
  async announceOnline(): Promise<void> {
    const online: DeviceStatus = { online: true, ts: Date.now() };
    await this.publishJson(this.topics.status, online, true);
  }

  /** Publishes a batch and waits for the hub's acknowledgement of it (the device must have called subscribeOwn). */
  async sendBatch(batch: EventBatch, timeoutMs = 5000): Promise<EventAck> {
    const earlier = this.acks().length;
    await this.publishJson(this.topics.events, batch);
    // A redelivered batch is acknowledged again: wait for an ack that arrived after this publish.
    return waitFor(`the ack of batch ${batch.batchId}`, () => this.acks().slice(earlier).find((a) => a.batchId === batch.batchId), timeoutMs);
  }

  acks(): EventAck[] {
    return this.jsonOn<EventAck>(this.topics.eventsAck);
  }

  /** Resolves when the broker has closed this connection. */
  closed(): Promise<void> {
    if (!this.client.connected) return Promise.resolve();
    return new Promise((resolve) => this.client.once('close', () => resolve()));
  }

  async publishJson(topic: string, message: unknown, retain = false): Promise<void> {
    await this.client.publishAsync(topic, JSON.stringify(message), { qos: 1, retain });
  }

  messagesOn(topic: string): Received[] {
    return this.received.filter((m) => m.topic === topic);
  }

  jsonOn<T>(topic: string): T[] {
    return this.messagesOn(topic)
      .filter((m) => m.payload.length > 0)
      .map((m) => JSON.parse(m.payload.toString('utf8')) as T);
  }

  /** Closes the socket without DISCONNECT, as a power cut or a pulled cable would: the broker fires the will. */
  dropConnection(): void {
    this.client.stream.destroy();
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Resolves on CONNACK success; rejects with the broker's refusal (or the socket error). */
export function waitConnected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    const onConnect = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      cleanup();
      client.end(true);
      reject(err);
    };
    const onClose = () => {
      cleanup();
      client.end(true);
      reject(new Error('connection closed before CONNACK'));
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}
