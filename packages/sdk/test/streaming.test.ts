import type { App, Host, StreamSession } from '@sightline/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isSightlineApiError, SightlineClient } from '../src/index.js';
import { apiError, CannedHub } from './canned-hub.js';
import { T0 } from './fixtures.js';

let hub: CannedHub;
let client: SightlineClient;

beforeAll(async () => {
  hub = await CannedHub.start();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  hub.requests.length = 0;
  client = new SightlineClient({ baseUrl: hub.url, apiKey: 'sk_test_key' });
});

const SESSION_ID = '0190b2a4-1c2d-7e3f-8a9b-0c1d2e3f4a5b';

function app(overrides: Partial<App> = {}): App {
  return {
    id: 'tux-racer',
    name: 'Tux Racer',
    command: '/usr/games/etr',
    args: [],
    env: {},
    width: 1280,
    height: 720,
    fps: 60,
    codec: 'h264',
    bitrateKbps: 6000,
    inputProfile: 'keyboard-mouse',
    saveData: false,
    idleTimeoutSeconds: 600,
    maxDurationSeconds: 14_400,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function session(overrides: Partial<StreamSession> = {}): StreamSession {
  return {
    id: SESSION_ID,
    appId: 'tux-racer',
    appName: 'Tux Racer',
    state: 'queued',
    queuePosition: 1,
    hostId: null,
    endReason: null,
    message: null,
    createdAt: T0,
    startedAt: null,
    endedAt: null,
    whepUrl: `/api/v1/sessions/${SESSION_ID}/whep`,
    width: 1280,
    height: 720,
    fps: 60,
    inputProfile: 'keyboard-mouse',
    gamepadKeys: null,
    reconnectGraceMs: 30_000,
    spectators: 0,
    ...overrides,
  };
}

const host: Host = {
  id: 'gpu-1',
  name: 'GPU box',
  online: true,
  enrolled: true,
  lastSeenAt: T0,
  version: '0.1.0',
  cpuPercent: 31.5,
  capacity: { slots: 4, maxWidth: 1920, maxHeight: 1080, maxFps: 60, encoders: [{ codec: 'h264', encoder: 'h264_nvenc', hardware: true }] },
  sessions: 1,
};

describe('cloud streaming', () => {
  it('apps: list, create with defaults left to the hub, update, delete, and start a session', async () => {
    hub
      .on('GET /api/v1/apps', { json: [app()] })
      .on('POST /api/v1/apps', { status: 201, json: app({ id: 'xterm', name: 'xterm', command: 'xterm' }) })
      .on('PATCH /api/v1/apps/tux-racer', { json: app({ fps: 30 }) })
      .on('DELETE /api/v1/apps/tux-racer', { status: 204 })
      .on('POST /api/v1/apps/tux-racer/sessions', { status: 201, json: session({ queuePosition: 3 }) });
    expect(await client.apps.list()).toEqual([app()]);
    expect((await client.apps.create({ id: 'xterm', name: 'xterm', command: 'xterm' })).id).toBe('xterm');
    expect(JSON.parse(hub.last('POST /api/v1/apps').body)).toEqual({ id: 'xterm', name: 'xterm', command: 'xterm' });
    expect((await client.apps.update('tux-racer', { fps: 30 })).fps).toBe(30);
    expect(JSON.parse(hub.last('PATCH /api/v1/apps/tux-racer').body)).toEqual({ fps: 30 });
    await client.apps.delete('tux-racer');
    const started = await client.apps.startSession('tux-racer');
    expect(started).toMatchObject({ state: 'queued', queuePosition: 3 });
    expect(JSON.parse(hub.last('POST /api/v1/apps/tux-racer/sessions').body)).toEqual({});
    expect(hub.last('POST /api/v1/apps/tux-racer/sessions').headers.authorization).toBe('Bearer sk_test_key');
    await client.apps.startSession('tux-racer', { record: true });
    expect(JSON.parse(hub.last('POST /api/v1/apps/tux-racer/sessions').body)).toEqual({ record: true });
  });

  it('apps: a field the hub refuses comes back named', async () => {
    hub.on('POST /api/v1/apps', apiError(400, 'validation_failed', 'fps: at most 120', 'fps'));
    const err = await client.apps.create({ id: 'x', name: 'x', command: 'x', fps: 500 }).catch((e: unknown) => e);
    expect(isSightlineApiError(err, 'validation_failed')).toBe(true);
    expect((err as { field?: string }).field).toBe('fps');
  });

  it('sessions: list, get, end, spectate token and the WHEP address', async () => {
    hub
      .on('GET /api/v1/sessions', { json: [session({ state: 'running', queuePosition: null, hostId: 'gpu-1' }), session({ state: 'ended', queuePosition: null, endReason: 'idle-timeout' })] })
      .on(`GET /api/v1/sessions/${SESSION_ID}`, { json: session() })
      .on(`DELETE /api/v1/sessions/${SESSION_ID}`, { status: 204 })
      .on(`POST /api/v1/sessions/${SESSION_ID}/spectate-token`, { status: 201, json: { token: 'st_1', expiresAt: T0 + 3600_000, whepUrl: `/api/v1/sessions/${SESSION_ID}/whep` } });
    expect((await client.sessions.list()).map((s) => s.state)).toEqual(['running', 'ended']);
    expect((await client.sessions.get(SESSION_ID)).queuePosition).toBe(1);
    await expect(client.sessions.end(SESSION_ID)).resolves.toBeUndefined();
    expect((await client.sessions.spectateToken(SESSION_ID)).token).toBe('st_1');
    expect(client.sessions.whepUrl(SESSION_ID)).toBe(`${hub.url}/api/v1/sessions/${SESSION_ID}/whep`);
    expect(client.sessions.recordingUrl(SESSION_ID)).toBe(`${hub.url}/api/v1/sessions/${SESSION_ID}/recording.mp4`);
  });

  it('sessions: an answer that does not match the protocol is refused', async () => {
    hub.on(`GET /api/v1/sessions/${SESSION_ID}`, { json: { ...session(), state: 'paused' } });
    const err = await client.sessions.get(SESSION_ID).catch((e: unknown) => e);
    expect(isSightlineApiError(err, 'bad_response')).toBe(true);
    expect((err as Error).message).toMatch(/state/);
  });

  it('sessions: follows the state stream until the session ended, skipping keep-alives and other events', async () => {
    hub.on(`GET /api/v1/sessions/${SESSION_ID}/state`, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const states = [session({ queuePosition: 2 }), session({ queuePosition: 1 }), session({ state: 'starting', queuePosition: null }), session({ state: 'running', queuePosition: null }), session({ state: 'ended', queuePosition: null, endReason: 'ended' })];
      response.write(': keep-alive\n\n');
      response.write('event: other\ndata: {}\n\n');
      for (const s of states) response.write(`event: session\ndata: ${JSON.stringify(s)}\n\n`);
      // Never closed by the hub: the loop must end by itself after `ended`.
    });
    let opened = false;
    const seen: string[] = [];
    for await (const s of client.sessions.state(SESSION_ID, { onOpen: () => (opened = true) })) seen.push(`${s.state}${s.queuePosition ? `:${s.queuePosition}` : ''}`);
    expect(opened).toBe(true);
    expect(seen).toEqual(['queued:2', 'queued:1', 'starting', 'running', 'ended']);
    expect(hub.last(`GET /api/v1/sessions/${SESSION_ID}/state`).headers.accept).toBe('text/event-stream');
  });

  it('sessions: a refused stream throws the hub error, an invalid state a bad_response, an abort ends quietly', async () => {
    hub.on(`GET /api/v1/sessions/${SESSION_ID}/state`, apiError(403, 'forbidden', 'not your session'));
    const refused = await (async () => {
      for await (const _ of client.sessions.state(SESSION_ID)) void _;
    })().catch((e: unknown) => e);
    expect(isSightlineApiError(refused, 'forbidden')).toBe(true);

    hub.on(`GET /api/v1/sessions/${SESSION_ID}/state`, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`event: session\ndata: ${JSON.stringify({ ...session(), queuePosition: 0 })}\n\n`);
    });
    const invalid = await (async () => {
      for await (const _ of client.sessions.state(SESSION_ID)) void _;
    })().catch((e: unknown) => e);
    expect(isSightlineApiError(invalid, 'bad_response')).toBe(true);

    hub.on(`GET /api/v1/sessions/${SESSION_ID}/state`, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`event: session\ndata: ${JSON.stringify(session())}\n\n`);
    });
    const abort = new AbortController();
    const states: string[] = [];
    for await (const s of client.sessions.state(SESSION_ID, { signal: abort.signal })) {
      states.push(s.state);
      abort.abort();
    }
    expect(states).toEqual(['queued']);
  });

  it('hosts: list with capacity and load', async () => {
    hub.on('GET /api/v1/hosts', { json: [host] });
    expect(await client.hosts.list()).toEqual([host]);
  });

  it('devices: a host is created as a device of kind host', async () => {
    hub.on('POST /api/v1/devices', (request) => {
      const body = JSON.parse(request.body) as { id: string; kind: string };
      return {
        status: 201,
        json: {
          device: {
            id: body.id,
            kind: body.kind,
            name: null,
            createdAt: T0,
            enrolled: false,
            online: false,
            lastSeenAt: null,
            version: null,
            cpuPercent: null,
            memoryBytes: null,
            configVersion: 0,
            appliedVersion: null,
            appliedOk: null,
            appliedErrors: [],
            cameras: [],
            outbox: null,
          },
          enrollment: { deviceId: body.id, token: 'enr_x', expiresAt: T0, command: `sightline host --hub http://hub --token enr_x` },
        },
      };
    });
    const created = await client.devices.create({ id: 'gpu-2', kind: 'host' });
    expect(JSON.parse(hub.last('POST /api/v1/devices').body)).toEqual({ id: 'gpu-2', kind: 'host' });
    expect(created.enrollment.command).toMatch(/^sightline host /);
    expect(created.device.kind).toBe('host');
  });
});
