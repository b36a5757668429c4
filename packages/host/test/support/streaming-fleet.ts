import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, type Hub, type HubOptions } from '@sightline/hub';
import type { App, CreateAppRequest, StreamSession } from '@sightline/protocol';
import { startHost, type HostAgent, type HostOptions } from '../../src/index.js';

export const LOOPBACK = { loopbackOnly: true };
/** The streaming package's colour app: a full-window colour that changes with every key (see color-app.cjs). */
export const COLOR_APP = fileURLToPath(new URL('../../../streaming/test/support/color-app.cjs', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

export const colorApp = (overrides: Partial<CreateAppRequest> = {}): CreateAppRequest => ({
  id: 'colors',
  name: 'Colour test app',
  command: process.execPath,
  args: [COLOR_APP],
  env: { NODE_PATH: NODE_MODULES },
  width: 320,
  height: 180,
  fps: 30,
  bitrateKbps: 1000,
  ...overrides,
});

/** A hub and one enrolled streaming host in this process, ICE on 127.0.0.1, and an admin API key. */
export interface StreamingFleet {
  dir: string;
  hub: Hub;
  host: HostAgent;
  adminKey: string;
  api<T>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  createApp(app: CreateAppRequest): Promise<App>;
  /** A new viewer-role user, signed in: their session token. */
  newPlayer(username: string): Promise<string>;
  waitForSession(id: string, state: StreamSession['state'], timeoutMs?: number, key?: string): Promise<StreamSession>;
  close(): Promise<void>;
}

export async function startStreamingFleet(name: string, hostOptions: Partial<HostOptions> = {}, hubOptions: Partial<HubOptions> = {}): Promise<StreamingFleet> {
  const dir = mkdtempSync(join(tmpdir(), `sightline-${name}-`));
  const hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent', ice: LOOPBACK, ...hubOptions });
  const api = async <T>(method: string, path: string, body?: unknown, key?: string) => {
    const res = await fetch(`${hub.url}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const setup = await api<{ apiKey: { key: string } }>('POST', '/setup', { username: 'admin', password: `${name} test` });
  const adminKey = setup.body.apiKey.key;
  const created = await api<{ enrollment: { token: string } }>('POST', '/devices', { id: 'host-1', kind: 'host' }, adminKey);
  const host = await startHost({
    dataDir: join(dir, 'host'),
    hubUrl: hub.url,
    token: created.body.enrollment.token,
    slots: 1,
    heartbeatMs: 500,
    ice: LOOPBACK,
    logLevel: 'silent',
    ...hostOptions,
  });
  const waitForSession = async (id: string, state: StreamSession['state'], timeoutMs = 20_000, key = adminKey) => {
    const deadline = Date.now() + timeoutMs;
    let last: StreamSession | undefined;
    while (Date.now() < deadline) {
      last = (await api<StreamSession>('GET', `/sessions/${id}`, undefined, key)).body;
      if (last.state === state) return last;
      if (last.state === 'ended' && state !== 'ended') throw new Error(`session ended (${last.endReason}: ${last.message}) while waiting for ${state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`session ${id} is ${last?.state}, not ${state}, after ${timeoutMs} ms`);
  };
  // The host is available once the hub has its first heartbeat.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const hosts = (await api<{ online: boolean }[]>('GET', '/hosts', undefined, adminKey)).body;
    if (hosts.some((h) => h.online)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dir,
    hub,
    host,
    adminKey,
    api,
    createApp: async (app) => {
      const res = await api<App>('POST', '/apps', app, adminKey);
      if (res.status !== 201) throw new Error(`app not created: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    waitForSession,
    newPlayer: async (username) => {
      const created = await api('POST', '/users', { username, password: 'player password', role: 'viewer' }, adminKey);
      if (created.status !== 201) throw new Error(`user not created: ${JSON.stringify(created.body)}`);
      return (await api<{ token: string }>('POST', '/auth/login', { username, password: 'player password' })).body.token;
    },
    close: async () => {
      await host.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
