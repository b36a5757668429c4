import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDeviceResponseSchema, EnrollResponseSchema, SetupResponseSchema } from '@sightline/protocol';
import type { z } from 'zod';
import { startHub, type Hub } from '../../src/hub.js';
import type { DeviceLogin } from './messages.js';

export interface HubUnderTest {
  hub: Hub;
  apiKey: string;
  devices: DeviceLogin[];
  close(): Promise<void>;
}

/**
 * A hub on random loopback ports with a fresh data directory, an admin key from first-run setup, and `devices`
 * devices created and enrolled through the API exactly as an operator and an edge would.
 */
export async function startHubUnderTest(options: { name: string; db?: string; mqtt?: string; devices: number }): Promise<HubUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), `sightline-bench-${options.name}-`));
  let hub: Hub | undefined;
  try {
    hub = await startHub({ dataDir, db: options.db, mqtt: options.mqtt, port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'warn' });
    const url = hub.url;
    const setup = await call(url, 'POST', '/api/v1/setup', undefined, { username: 'bench', password: 'bench-password' }, SetupResponseSchema);
    const apiKey = setup.apiKey.key;
    const runId = Date.now().toString(36);
    const devices: DeviceLogin[] = [];
    for (let i = 0; i < options.devices; i++) {
      const id = `bench-${options.name}-${runId}-${i}`;
      const created = await call(url, 'POST', '/api/v1/devices', apiKey, { id }, CreateDeviceResponseSchema);
      const enrolled = await call(url, 'POST', '/api/v1/enroll', undefined, { token: created.enrollment.token }, EnrollResponseSchema);
      devices.push({ deviceId: enrolled.deviceId, mqtt: enrolled.mqtt });
    }
    const started = hub;
    return {
      hub: started,
      apiKey,
      devices,
      close: async () => {
        await started.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await hub?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

async function call<S extends z.ZodType>(base: string, method: string, path: string, key: string | undefined, body: unknown, schema: S): Promise<z.infer<S>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return schema.parse(JSON.parse(text)) as z.infer<S>;
}
