import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubMqttLink } from '../src/broker/hub-mqtt-link.js';

describe("the hub's MQTT link", () => {
  let broker: Aedes;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('handles one device in order, and drops what a device sends past its queue budget instead of growing without end', async () => {
    const rejected: string[] = [];
    const link = await HubMqttLink.connect({
      url,
      username: 'hub',
      password: 'x',
      maxPayloadBytes: 1024 * 1024,
      maxQueuedBytesPerDevice: 300 * 1024,
      log: pino({ level: 'silent' }),
      onRejected: (reason) => rejected.push(reason),
    });
    const handled: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    link.setHandler(async (_kind, _deviceId, payload) => {
      await gate;
      handled.push(payload.readUInt32BE(0));
    });
    const device = await mqtt.connectAsync(url, { clientId: 'edge-flood', protocolVersion: 4 });
    try {
      for (let i = 0; i < 10; i++) {
        const payload = Buffer.alloc(100 * 1024);
        payload.writeUInt32BE(i, 0);
        await device.publishAsync('sightline/v1/devices/edge-flood/heartbeat', payload, { qos: 1 });
      }
      await new Promise((r) => setTimeout(r, 300));
      release();
      await new Promise((r) => setTimeout(r, 300));
      expect(handled).toEqual([0, 1, 2]);
      expect(rejected).toEqual(Array(7).fill('backlog'));

      // Once the queue has drained, the device is served again.
      const after = Buffer.alloc(16);
      after.writeUInt32BE(99, 0);
      await device.publishAsync('sightline/v1/devices/edge-flood/heartbeat', after, { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      expect(handled).toEqual([0, 1, 2, 99]);
    } finally {
      await device.endAsync();
      await link.close();
    }
  });
});
