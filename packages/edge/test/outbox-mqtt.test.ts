import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { EventBatchSchema, TOPIC_ROOT } from '@sightline/protocol';
import type { SightlineEvent } from '@sightline/protocol';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttEventTransport, Outbox, OutboxSender } from '../src/outbox/index.js';
import { makeEvents, makeSnapshot, quietLogger, tempDir, waitFor } from './outbox-helpers.js';

const DEVICE = 'edge-mqtt-1';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A real mosquitto on loopback, which the test can stop and start again on the same port. */
class Mosquitto {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly configPath: string,
  ) {
    writeFileSync(configPath, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  }

  async start(): Promise<void> {
    const child = spawn('mosquitto', ['-c', this.configPath], { stdio: 'ignore' });
    this.child = child;
    let failure: Error | undefined;
    child.once('error', (err) => (failure = new Error(`cannot run mosquitto (apt-get install mosquitto): ${err.message}`)));
    const start = Date.now();
    while (!(await portOpen(this.port))) {
      if (failure) throw failure;
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      if (Date.now() - start > 5000) throw new Error('mosquitto did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** The hub's side: commit each batch once per event id, then acknowledge, as the real hub does. */
class MiniHub {
  readonly committed: SightlineEvent[] = [];
  readonly committedIds = new Set<string>();
  snapshots = 0;
  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      const batch = EventBatchSchema.parse(JSON.parse(payload.toString('utf8')));
      for (const event of batch.events) {
        if (this.committedIds.has(event.id)) continue;
        this.committedIds.add(event.id);
        this.committed.push(event);
      }
      this.snapshots += batch.snapshots.length;
      const ack = { batchId: batch.batchId, ids: batch.events.map((e) => e.id), committedAt: Date.now() };
      void client.publishAsync(`${topic}/ack`, JSON.stringify(ack), { qos: 1 });
    });
  }
}

let dir: ReturnType<typeof tempDir>;
let broker: Mosquitto;
let hubClient: MqttClient;
let edgeClient: MqttClient;
let hub: MiniHub;
let outbox: Outbox;
let sender: OutboxSender;
let transport: MqttEventTransport;

beforeAll(async () => {
  dir = tempDir();
  broker = new Mosquitto(await freePort(), join(dir.dir, 'mosquitto.conf'));
  await broker.start();
  const url = `mqtt://127.0.0.1:${broker.port}`;
  hubClient = await mqtt.connectAsync(url, { clientId: 'test-hub', reconnectPeriod: 100 });
  await hubClient.subscribeAsync(`${TOPIC_ROOT}/+/events`, { qos: 1 });
  hub = new MiniHub(hubClient);
  edgeClient = mqtt.connect(url, { clientId: DEVICE, reconnectPeriod: 100 });
  transport = new MqttEventTransport(edgeClient, DEVICE);
  outbox = Outbox.open(join(dir.dir, 'outbox.db'), { budgetBytes: 256 * 1024 * 1024 });
  sender = new OutboxSender(outbox, transport, { deviceId: DEVICE, ackTimeoutMs: 2000, logger: quietLogger() });
  sender.start();
});

afterAll(async () => {
  await sender?.stop();
  transport?.detach();
  await edgeClient?.endAsync(true);
  await hubClient?.endAsync(true);
  await broker?.stop();
  outbox?.close();
  dir?.remove();
});

function expectInOrder(appended: SightlineEvent[]): void {
  for (const camera of new Set(appended.map((e) => e.cameraId))) {
    const want = appended.filter((e) => e.cameraId === camera).map((e) => e.id);
    const got = hub.committed.filter((e) => e.cameraId === camera).map((e) => e.id);
    expect(got.slice(-want.length)).toEqual(want);
  }
}

describe('outbox over a real mosquitto', () => {
  it('delivers events and snapshots in order through the broker', async () => {
    const appended: SightlineEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const events = makeEvents(`cam-${i % 2}`, 40);
      outbox.append(events, i % 5 === 0 ? [makeSnapshot(events[0]!.id, 10_000)] : []);
      appended.push(...events);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitFor(() => outbox.stats().pending === 0 && outbox.stats().pendingSnapshots === 0, 15_000, 'delivery');
    expect(hub.committed.map((e) => e.id)).toEqual(appended.map((e) => e.id));
    expect(hub.snapshots).toBe(6);
  });

  it('keeps events while the broker is down and delivers them after it comes back', async () => {
    const before = hub.committed.length;
    await broker.stop();
    await waitFor(() => !transport.connected, 5000, 'disconnect seen');
    const whileDown: SightlineEvent[] = [];
    for (let i = 0; i < 10; i++) {
      const events = makeEvents(`cam-${i % 2}`, 25);
      outbox.append(events);
      whileDown.push(...events);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(outbox.stats().pending).toBe(whileDown.length);

    await broker.start();
    await waitFor(() => outbox.stats().pending === 0, 15_000, 'delivery after reconnect');
    expect(hub.committed.length).toBe(before + whileDown.length);
    expect(new Set(hub.committed.map((e) => e.id)).size).toBe(hub.committed.length);
    expectInOrder(whileDown);
  });
});
