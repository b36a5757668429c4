import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@sightline/hub';
import { startEdge, type EdgeAgent } from '@sightline/edge';
import { SightlineClient } from '@sightline/sdk';
import { writeTinyDetectorPackage } from '../../vision/src/detect/testing/index.js';
import { freePort, waitFor } from './support/fleet-processes.js';

/** Two white squares crossing and wrapping around the frame: about one event per second. */
const busyCamera =
  "lavfi:color=c=black:s=320x240:r=10[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x='mod(t*80,280)':y=40[a];" +
  "color=c=white:s=24x24:r=10[fg2];[a][fg2]overlay=x='mod(100+t*80,280)':y=160,realtime[out0]";
const BUDGET = 1500;

describe('the outbox disk budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-budget-'));
  let hub: Hub | undefined;
  let edge: EdgeAgent | undefined;

  afterAll(async () => {
    await edge?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the oldest events only past its budget while the hub is away, and the hub is told how many', async () => {
    const model = writeTinyDetectorPackage(join(dir, 'tiny'), { inputSize: 128 }).dir;
    const ports = { port: await freePort(), mqttPort: await freePort() };
    const hubOptions = { dataDir: join(dir, 'hub'), ...ports, mqttWsPort: null, logLevel: 'silent' };
    hub = await startHub(hubOptions);
    const { apiKey } = await new SightlineClient({ baseUrl: hub.url }).auth.setup({ username: 'admin', password: 'budget test 1' });
    const client = new SightlineClient({ baseUrl: hub.url, apiKey: apiKey.key });
    const { enrollment } = await client.devices.create({ id: 'edge-budget' });
    edge = await startEdge({
      dataDir: join(dir, 'edge'),
      hubUrl: hub.url,
      token: enrollment.token,
      heartbeatMs: 300,
      workers: 1,
      outboxBudgetBytes: BUDGET,
      logLevel: 'silent',
    });
    await client.cameras.create({ deviceId: 'edge-budget', id: 'busy', source: busyCamera, model, fps: 10 });
    await waitFor('events to arrive', async () => (await client.events.list({ limit: 1 })).events.length > 0, 30_000);

    await hub.close();
    hub = undefined;
    const agent = edge;
    await waitFor('the outbox to go over its budget', () => agent.outbox.stats().dropped > 0, 60_000);
    const stats = agent.outbox.stats();
    expect(stats.pendingBytes).toBeLessThanOrEqual(BUDGET);
    expect(stats.pending).toBeGreaterThan(0);

    hub = await startHub(hubOptions);
    const device = await waitFor('the drop count at the hub', async () => {
      const d = await client.devices.get('edge-budget');
      return (d.outbox?.dropped ?? 0) > 0 && d;
    }, 30_000);
    expect(device.outbox!.dropped).toBeGreaterThanOrEqual(stats.dropped);
    const metrics = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${apiKey.key}` } })).text();
    expect(metrics).toMatch(/sightline_device_outbox_dropped_events\{device="edge-budget"\} [1-9]/);
  });
});
