import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@sightline/hub';
import { startEdge, type EdgeAgent } from '@sightline/edge';
import { SightlineClient } from '@sightline/sdk';
import { writeTinyDetectorPackage } from '../../vision/src/detect/testing/index.js';
import { waitFor } from './support/fleet-processes.js';

/** A white square crossing a black frame, paced in real time: a camera that never ends, for the tiny model. */
const movingSquare = (speed: number) =>
  `lavfi:color=c=black:s=320x240:r=10[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x='mod(20+t*${speed},280)':y=100,realtime[out0]`;

describe('central configuration applied live on the edge', () => {
  let dir: string;
  let hub: Hub;
  let edge: EdgeAgent;
  let client: SightlineClient;
  let model: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-live-config-'));
    model = writeTinyDetectorPackage(join(dir, 'tiny'), { inputSize: 128 }).dir;
    hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent' });
    const { apiKey } = await new SightlineClient({ baseUrl: hub.url }).auth.setup({ username: 'admin', password: 'live config test' });
    client = new SightlineClient({ baseUrl: hub.url, apiKey: apiKey.key });
    const { enrollment } = await client.devices.create({ id: 'edge-live' });
    edge = await startEdge({ dataDir: join(dir, 'edge'), hubUrl: hub.url, token: enrollment.token, heartbeatMs: 300, workers: 1, logLevel: 'silent' });
  });

  afterAll(async () => {
    await edge?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const healthOf = async (cameraId: string) => (await client.devices.get('edge-live')).cameras.find((c) => c.cameraId === cameraId);

  it('adds, reconfigures and removes one camera without touching the other, and reports the applied version', async () => {
    await client.cameras.create({ deviceId: 'edge-live', id: 'cam-a', source: movingSquare(60), model, fps: 5 });
    await client.cameras.create({ deviceId: 'edge-live', id: 'cam-b', source: movingSquare(90), model, fps: 5 });
    await waitFor('both cameras running', async () => (await healthOf('cam-a'))?.state === 'running' && (await healthOf('cam-b'))?.state === 'running');
    const runnerB = edge.supervisor.runner('cam-b');
    const runnerA = edge.supervisor.runner('cam-a');
    expect(runnerB).toBeDefined();

    const patched = await client.cameras.update('cam-a', { fps: 2 });
    expect(patched.config.model).toBe(model);
    await waitFor('the edge to apply the change', async () => (await client.cameras.get('cam-a')).applied === true);
    expect(edge.supervisor.runner('cam-a')).not.toBe(runnerA);
    expect(edge.supervisor.runner('cam-a')!.config.fps).toBe(2);
    expect(edge.supervisor.runner('cam-b')).toBe(runnerB);

    await client.cameras.delete('cam-a');
    await waitFor('cam-a to be removed', () => edge.supervisor.runner('cam-a') === undefined);
    expect(edge.supervisor.runner('cam-b')).toBe(runnerB);
    const device = await client.devices.get('edge-live');
    await waitFor('the applied version to catch up', async () => (await client.devices.get('edge-live')).appliedVersion === device.configVersion);
  });

  it('reports a camera the edge cannot run as a validation error the hub shows, and keeps the others running', async () => {
    const runnerB = edge.supervisor.runner('cam-b');
    await client.cameras.create({ deviceId: 'edge-live', id: 'cam-bad', source: movingSquare(30), model: 'no-such-model', fps: 5 });
    const device = await waitFor('the refusal', async () => {
      const d = await client.devices.get('edge-live');
      return d.appliedVersion === d.configVersion && d;
    });
    expect(device.appliedOk).toBe(false);
    expect(device.appliedErrors).toEqual([expect.objectContaining({ cameraId: 'cam-bad', path: expect.stringMatching(/model$/) })]);
    expect((await client.cameras.get('cam-bad')).applied).toBe(false);
    expect(edge.supervisor.runner('cam-b')).toBe(runnerB);

    await client.cameras.delete('cam-bad');
    await waitFor('a clean config again', async () => {
      const d = await client.devices.get('edge-live');
      return d.appliedVersion === d.configVersion && d.appliedOk === true;
    });
    expect((await healthOf('cam-b'))?.state).toBe('running');
  });
});
