import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SightlineClient } from '@sightline/sdk';
import { requireSharedData } from '../../vision/src/util/shared-data.js';
import type {
  CliProcess} from './support/fleet-processes.js';
import {
  CuttableProxy,
  freePort,
  outboxEventIds,
  outboxPending,
  startEdgeProcess,
  startHubProcess,
  waitFor,
  type HubPorts,
} from './support/fleet-processes.js';

/**
 * Real processes: `sightline hub` (SQLite, embedded broker) and `sightline edge` analysing a shared video with the
 * real YOLOX-nano. Fault cases compare the exact event ids the edge produced (its outbox keeps delivered ids) with
 * what the hub serves: nothing lost, nothing twice.
 */
describe('hub and edge, end to end with real processes', () => {
  const model = requireSharedData('models/yolox_nano.onnx');
  const shortVideo = requireSharedData('videos/store_aisle.mp4');
  const longVideo = requireSharedData('videos/pedestrians_crowd.mp4');

  let dir: string;
  let ports: HubPorts;
  const procs: CliProcess[] = [];
  const proxies: CuttableProxy[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-e2e-'));
    ports = { http: await freePort(), mqtt: await freePort() };
  });

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(hubExtra: string[] = [], deviceId = 'edge-1') {
    const hub = await startHubProcess(join(dir, 'hub'), ports, hubExtra);
    procs.push(hub.proc);
    const anonymous = new SightlineClient({ baseUrl: hub.url });
    const { apiKey } = await anonymous.auth.setup({ username: 'admin', password: 'correct horse battery' });
    const client = new SightlineClient({ baseUrl: hub.url, apiKey: apiKey.key });
    const { enrollment } = await client.devices.create({ id: deviceId, name: 'aisle edge' });
    const edgeDir = join(dir, 'edge');
    const edge = startEdgeProcess(edgeDir, ['--hub', hub.url, '--token', enrollment.token]);
    procs.push(edge);
    await waitFor('the device to come online', async () => (await client.devices.get(deviceId)).online, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- edge output ---\n${edge.output.slice(-3000)}\n--- hub output ---\n${hub.proc.output.slice(-3000)}`);
    });
    return { hub, client, edge, edgeDir };
  }

  async function allHubEventIds(client: SightlineClient, deviceId = 'edge-1'): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of client.events.pages({ deviceId, limit: 500 })) ids.push(...page.events.map((e) => e.event.id));
    return ids;
  }

  /** The camera has finished its file and the edge has nothing left to deliver. */
  async function waitForDrained(client: SightlineClient, edgeDir: string, timeoutMs = 90_000, deviceId = 'edge-1') {
    await waitFor(
      'the camera to finish and the outbox to drain',
      async () => {
        const device = await client.devices.get(deviceId);
        const cam = device.cameras.find((c) => c.cameraId === 'aisle');
        return cam?.state === 'stopped' && outboxPending(edgeDir) === 0;
      },
      timeoutMs,
      500,
    );
  }

  async function expectExactlyOnce(client: SightlineClient, edgeDir: string, deviceId = 'edge-1') {
    const produced = outboxEventIds(edgeDir);
    const stored = await allHubEventIds(client, deviceId);
    expect(produced.length).toBeGreaterThan(0);
    expect(new Set(stored).size).toBe(stored.length);
    expect([...stored].sort()).toEqual([...produced].sort());
  }

  it('enrolls, stores credentials 0600, applies a camera and serves person events with snapshots', async () => {
    const { client, edgeDir } = await setUp();
    expect(statSync(join(edgeDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    const camera = await client.cameras.create({ deviceId: 'edge-1', id: 'aisle', source: shortVideo, model, fps: 5 });
    expect(camera.configVersion).toBeGreaterThan(0);
    await waitFor('the edge to apply the config', async () => (await client.cameras.get('aisle')).applied === true);
    await waitForDrained(client, edgeDir);

    const page = await client.events.list({ cameraId: 'aisle', label: 'person', type: 'zone.enter' });
    expect(page.events.length).toBeGreaterThan(0);
    const withSnapshots = page.events.find((e) => e.snapshots.length === 2)!;
    expect(withSnapshots).toBeDefined();
    const jpeg = await client.events.snapshot(withSnapshots.event.id, 'crop');
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    const device = await client.devices.get('edge-1');
    expect(device.appliedOk).toBe(true);
    expect(device.memoryBytes).toBeGreaterThan(0);
    await expectExactlyOnce(client, edgeDir);
  });

  it('loses and duplicates nothing when the hub is killed with SIGKILL mid-stream and restarted', async () => {
    const { hub, client, edgeDir } = await setUp();
    await client.cameras.create({ deviceId: 'edge-1', id: 'aisle', source: longVideo, model, fps: 5 });
    await waitFor('events to start flowing', async () => (await client.events.list({ limit: 1 })).events.length > 0, 60_000);
    await hub.proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    const restarted = await startHubProcess(join(dir, 'hub'), ports);
    procs.push(restarted.proc);
    await waitForDrained(client, edgeDir);
    await expectExactlyOnce(client, edgeDir);
  });

  it('loses and duplicates nothing when the edge is cut off from the broker for a while', async () => {
    const proxy = new CuttableProxy({ host: '127.0.0.1', port: ports.mqtt });
    proxies.push(proxy);
    await proxy.start();
    const { client, edgeDir } = await setUp(['--mqtt-public-url', `mqtt://127.0.0.1:${proxy.port}`]);
    await client.cameras.create({ deviceId: 'edge-1', id: 'aisle', source: longVideo, model, fps: 5 });
    await waitFor('events to start flowing', async () => (await client.events.list({ limit: 1 })).events.length > 0, 60_000);
    proxy.setCut(true);
    await waitFor('the hub to see the device offline (last will)', async () => !(await client.devices.get('edge-1')).online, 30_000);
    const duringCut = outboxPending(edgeDir);
    await new Promise((r) => setTimeout(r, 3000));
    expect(outboxPending(edgeDir)).toBeGreaterThanOrEqual(duringCut);
    proxy.setCut(false);
    await waitFor('the device back online', async () => (await client.devices.get('edge-1')).online, 30_000);
    await waitForDrained(client, edgeDir);
    await expectExactlyOnce(client, edgeDir);
  });

  it('loses and duplicates nothing when the edge is killed and restarted', async () => {
    const { hub, client, edge, edgeDir } = await setUp();
    await client.cameras.create({ deviceId: 'edge-1', id: 'aisle', source: longVideo, model, fps: 5 });
    await waitFor('events to start flowing', async () => outboxEventIds(edgeDir).length > 0, 60_000);
    await edge.kill('SIGKILL');
    const restarted = startEdgeProcess(edgeDir); // stored credentials: no token this time
    procs.push(restarted);
    await waitFor('the device back online', async () => (await client.devices.get('edge-1')).online, 30_000);
    await waitForDrained(client, edgeDir);
    await expectExactlyOnce(client, edgeDir);
    void hub;
  });

  it('runs the same way on PostgreSQL and mosquitto, including a hub SIGKILL while the broker stays up', async () => {
    const pgUrl = process.env.SIGHTLINE_TEST_PG_URL;
    const mqttUrl = process.env.SIGHTLINE_TEST_MOSQUITTO_URL;
    const admin = process.env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_USER;
    const adminPassword = process.env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_PASSWORD;
    if (!pgUrl || !mqttUrl || !admin || !adminPassword) {
      throw new Error('PostgreSQL and mosquitto test services are not running: see scripts/test-services.mjs (the vitest global setup starts them)');
    }
    const db = await createDatabase(pgUrl);
    const broker = new URL(mqttUrl);
    broker.username = admin;
    broker.password = adminPassword;
    const deviceId = `edge-pg-${Math.random().toString(36).slice(2, 8)}`;
    const hubArgs = ['--db', db, '--mqtt', broker.toString()];
    const { hub, client, edgeDir } = await setUp(hubArgs, deviceId);
    await client.cameras.create({ deviceId, id: 'aisle', source: longVideo, model, fps: 5 });
    await waitFor('events to start flowing', async () => (await client.events.list({ limit: 1 })).events.length > 0, 60_000);
    await hub.proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    const restarted = await startHubProcess(join(dir, 'hub'), ports, hubArgs);
    procs.push(restarted.proc);
    await waitForDrained(client, edgeDir, 120_000, deviceId);
    await expectExactlyOnce(client, edgeDir, deviceId);
    const events = await client.events.list({ deviceId, label: 'person' });
    expect(events.events.length).toBeGreaterThan(0);
  });
});

async function createDatabase(adminUrl: string): Promise<string> {
  const pg = await import('pg');
  const name = `sightline_e2e_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.default.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
