import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub, type HubOptions } from '@sightline/hub';
import { startEdge, type EdgeAgent } from '@sightline/edge';
import { SightlineClient } from '@sightline/sdk';
import { writeTinyDetectorPackage } from '../../../vision/src/detect/testing/index.js';

const LOOPBACK = { loopbackOnly: true };

/** A hub and one enrolled edge in this process, with ICE on 127.0.0.1, an admin client and the tiny test model. */
export interface InProcessFleet {
  dir: string;
  hub: Hub;
  edge: EdgeAgent;
  /** An admin client of the hub, and its key. */
  client: SightlineClient;
  adminKey: string;
  /** The tiny bright-blob detector (real ONNX, no weights): it finds white squares on black. */
  model: string;
  close(): Promise<void>;
}

export async function startInProcessFleet(name: string, deviceId: string, hubOptions: Partial<HubOptions> = {}): Promise<InProcessFleet> {
  const dir = mkdtempSync(join(tmpdir(), `sightline-${name}-`));
  const model = writeTinyDetectorPackage(join(dir, 'tiny'), { inputSize: 128 }).dir;
  const hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent', ice: LOOPBACK, ...hubOptions });
  const { apiKey } = await new SightlineClient({ baseUrl: hub.url }).auth.setup({ username: 'admin', password: `${name} test` });
  const client = new SightlineClient({ baseUrl: hub.url, apiKey: apiKey.key });
  const { enrollment } = await client.devices.create({ id: deviceId });
  const edge = await startEdge({ dataDir: join(dir, 'edge'), hubUrl: hub.url, token: enrollment.token, heartbeatMs: 500, workers: 1, logLevel: 'silent', liveIce: LOOPBACK });
  return {
    dir,
    hub,
    edge,
    client,
    adminKey: apiKey.key,
    model,
    close: async () => {
      await edge.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
