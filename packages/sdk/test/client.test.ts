import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SightlineClient, toQueryString } from '../src/index.js';
import { CannedHub } from './canned-hub.js';
import { camera, counts, device, enrollment, storedEvent, T0 } from './fixtures.js';

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

const user = { id: 'u1', username: 'admin', role: 'admin' as const, createdAt: T0 };
const apiKey = { id: 'k1', name: 'ci', scope: 'read' as const, createdAt: T0, expiresAt: null, revokedAt: null, lastUsedAt: null };

describe('SightlineClient requests', () => {
  it('sends the API key as a bearer token and asks for JSON', async () => {
    hub.on('GET /api/v1/devices', { json: [device()] });
    const devices = await client.devices.list();
    expect(devices).toEqual([device()]);
    const request = hub.last('GET /api/v1/devices');
    expect(request.headers.authorization).toBe('Bearer sk_test_key');
    expect(request.headers.accept).toBe('application/json');
  });

  it('sends no authorization header without a key, and the new one after setApiKey', async () => {
    hub.on('GET /api/v1/devices', { json: [] });
    const anonymous = new SightlineClient({ baseUrl: hub.url });
    await anonymous.devices.list();
    expect(hub.last('GET /api/v1/devices').headers.authorization).toBeUndefined();
    anonymous.setApiKey('session-token');
    await anonymous.devices.list();
    expect(hub.last('GET /api/v1/devices').headers.authorization).toBe('Bearer session-token');
  });

  it('accepts a base URL with a trailing slash or with the API prefix', () => {
    expect(new SightlineClient({ baseUrl: `${hub.url}/` }).apiBase).toBe(`${hub.url}/api/v1`);
    expect(new SightlineClient({ baseUrl: `${hub.url}/api/v1/` }).apiBase).toBe(`${hub.url}/api/v1`);
    expect(new SightlineClient({ baseUrl: '' }).apiBase).toBe('/api/v1');
    expect(() => new SightlineClient({ baseUrl: 'ftp://hub' })).toThrow(/http\(s\) URL/);
  });

  it('auth: setup, login, logout and me', async () => {
    const created = { ...apiKey, scope: 'admin' as const, key: 'sk_admin' };
    hub
      .on('POST /api/v1/setup', { status: 201, json: { user, apiKey: created } })
      .on('POST /api/v1/auth/login', { json: { user, token: 'sess_1', expiresAt: T0 + 1000 } })
      .on('POST /api/v1/auth/logout', { status: 204 })
      .on('GET /api/v1/auth/me', { json: { user, scope: 'admin' } });
    expect(await client.auth.setup({ username: 'admin', password: 'correct horse' })).toEqual({ user, apiKey: created });
    expect(JSON.parse(hub.last('POST /api/v1/setup').body)).toEqual({ username: 'admin', password: 'correct horse' });
    expect(hub.last('POST /api/v1/setup').headers['content-type']).toBe('application/json');
    expect((await client.auth.login({ username: 'admin', password: 'pw' })).token).toBe('sess_1');
    await expect(client.auth.logout()).resolves.toBeUndefined();
    expect(await client.auth.me()).toEqual({ user, scope: 'admin' });
  });

  it('apiKeys: list, create and revoke', async () => {
    hub
      .on('GET /api/v1/api-keys', { json: [apiKey] })
      .on('POST /api/v1/api-keys', { status: 201, json: { ...apiKey, key: 'sk_new' } })
      .on('DELETE /api/v1/api-keys/k1', { status: 204 });
    expect(await client.apiKeys.list()).toEqual([apiKey]);
    expect((await client.apiKeys.create({ name: 'ci', scope: 'read', expiresInDays: 30 })).key).toBe('sk_new');
    expect(JSON.parse(hub.last('POST /api/v1/api-keys').body)).toEqual({ name: 'ci', scope: 'read', expiresInDays: 30 });
    await client.apiKeys.revoke('k1');
    expect(hub.last('DELETE /api/v1/api-keys/k1').method).toBe('DELETE');
  });

  it('devices: create, get, delete, a new enrollment token, and enroll', async () => {
    hub
      .on('POST /api/v1/devices', { status: 201, json: { device: device({ enrolled: false }), enrollment: enrollment() } })
      .on('GET /api/v1/devices/gate-pi', { json: device() })
      .on('DELETE /api/v1/devices/gate-pi', { status: 204 })
      .on('POST /api/v1/devices/gate-pi/enrollment-token', { status: 201, json: enrollment({ token: 'enr_second_token' }) })
      .on('POST /api/v1/enroll', { json: { deviceId: 'gate-pi', mqtt: { url: 'mqtt://hub:1883', username: 'gate-pi', password: 'p' } } });
    const created = await client.devices.create({ id: 'gate-pi', name: 'Gate Pi' });
    expect(created.enrollment.token).toBe(enrollment().token);
    expect(JSON.parse(hub.last('POST /api/v1/devices').body)).toEqual({ id: 'gate-pi', name: 'Gate Pi' });
    expect((await client.devices.get('gate-pi')).online).toBe(true);
    await client.devices.delete('gate-pi');
    expect((await client.devices.newEnrollmentToken('gate-pi')).token).toBe('enr_second_token');
    const enrolled = await client.devices.enroll({ token: 'enr_second_token' });
    expect(enrolled.mqtt.username).toBe('gate-pi');
    expect(JSON.parse(hub.last('POST /api/v1/enroll').body)).toEqual({ token: 'enr_second_token' });
  });

  it('escapes ids in paths', async () => {
    hub.on('GET /api/v1/cameras/a%20b', { json: camera() });
    await client.cameras.get('a b');
    expect(hub.requests.at(-1)?.path).toBe('/api/v1/cameras/a%20b');
  });

  it('cameras: list by device, create, update, delete', async () => {
    hub
      .on('GET /api/v1/cameras', { json: [camera()] })
      .on('POST /api/v1/cameras', { status: 201, json: camera() })
      .on('PATCH /api/v1/cameras/dock', { json: camera({ configVersion: 4, applied: null }) })
      .on('DELETE /api/v1/cameras/dock', { status: 204 });
    expect(await client.cameras.list({ deviceId: 'gate-pi' })).toHaveLength(1);
    expect(hub.last('GET /api/v1/cameras').query.get('deviceId')).toBe('gate-pi');
    await client.cameras.list();
    expect([...hub.last('GET /api/v1/cameras').query.keys()]).toEqual([]);
    await client.cameras.create({ id: 'dock', deviceId: 'gate-pi', source: 'rtsp://10.0.0.5/stream', fps: 5 });
    expect(JSON.parse(hub.last('POST /api/v1/cameras').body)).toEqual({ id: 'dock', deviceId: 'gate-pi', source: 'rtsp://10.0.0.5/stream', fps: 5 });
    const updated = await client.cameras.update('dock', { enabled: false });
    expect(updated.configVersion).toBe(4);
    expect(hub.last('PATCH /api/v1/cameras/dock').body).toBe('{"enabled":false}');
    await client.cameras.delete('dock');
    expect(hub.requests.at(-1)?.method).toBe('DELETE');
  });

  it('events: list with a filter, get, and counts', async () => {
    const e = storedEvent();
    hub
      .on('GET /api/v1/events', { json: { events: [e], nextCursor: null } })
      .on(`GET /api/v1/events/${e.event.id}`, { json: e })
      .on('GET /api/v1/counts', { json: counts() });
    const page = await client.events.list({ cameraId: 'dock', type: 'line.cross', trackId: 7, from: T0, to: undefined, limit: 10 });
    expect(page.events[0]).toEqual(e);
    expect(Object.fromEntries(hub.last('GET /api/v1/events').query)).toEqual({ cameraId: 'dock', type: 'line.cross', trackId: '7', from: String(T0), limit: '10' });
    expect(await client.events.get(e.event.id)).toEqual(e);
    const c = await client.counts.get({ from: '2026-11-03T00:00:00Z', to: T0, bucket: 'hour', lineId: 'gate' });
    expect(c.points[0]?.count).toBe(14);
    expect(Object.fromEntries(hub.last('GET /api/v1/counts').query)).toEqual({ from: '2026-11-03T00:00:00Z', to: String(T0), bucket: 'hour', lineId: 'gate' });
  });
});

describe('toQueryString', () => {
  it('skips undefined and null, encodes the rest, and sends dates as Unix ms', () => {
    expect(toQueryString({ a: undefined, b: null, c: 'x y&z', d: 0, e: false, f: new Date(T0) })).toBe(`?c=x+y%26z&d=0&e=false&f=${T0}`);
    expect(toQueryString({ a: undefined })).toBe('');
    expect(toQueryString(undefined)).toBe('');
  });
});
