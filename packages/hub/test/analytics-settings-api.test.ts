import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { peerConfig } from '@sightline/media';
import type { ApiKeyCreated, Heatmap, HubSettings, LiveCommand, ModelInfo, OccupancyResponse, SightlineEvent } from '@sightline/protocol';
import { startTestHub, type ApiResponse, type TestHub } from './support/test-hub.js';
import { TestDevice, enrollDevice } from './support/device-client.js';
import { TINY_JPEG, batchOf, snapshotOf, zoneEnter } from './support/events.js';
import { waitFor } from './support/wait.js';
import { createStore } from '../src/store/index.js';
import { HubSettingsService } from '../src/settings/hub-settings.js';
import { catalogModels } from '../../vision/src/models/catalog.js';

const MIN = 60_000;
const HOUR = 3_600_000;
// A whole hour, three hours ago: every bucket of the test range is in the past.
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;

function expectError(response: ApiResponse, status: number, code: string, field?: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  const body = response.body as { error: { code: string; message: string; field?: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (field !== undefined) expect(body.error.field).toBe(field);
}

type Box = [number, number, number, number];

function zoneEvent(kind: 'enter' | 'exit', minute: number, label: string, bbox: Box): SightlineEvent {
  const base = zoneEnter('gate', { wallTime: T0 + minute * MIN, label, bbox });
  return kind === 'enter' ? base : { ...base, type: 'zone.exit', dwell: 1 };
}

describe('hub API: occupancy, heatmap, models, settings, setup status', () => {
  let hub: TestHub;
  let device: TestDevice;
  let readKey: ApiKeyCreated;
  let operateKey: ApiKeyCreated;
  const events: SightlineEvent[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ modelCatalogue: catalogModels(), ice: { loopbackOnly: true } });
    const enrolled = await enrollDevice(hub, 'edge-1');
    device = await TestDevice.connect(hub.hub.mqttUrl, enrolled);
    await device.subscribeOwn();
    await device.client.subscribeAsync(device.topics.live, { qos: 1 });
    await device.announceOnline();
    const camera = await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'edge-1', id: 'gate', name: 'Gate', source: 'lavfi:testsrc', model: 'yolox-nano' } });
    expect(camera.status).toBe(201);
    readKey = (await hub.call<ApiKeyCreated>('POST', '/api/v1/api-keys', { body: { name: 'viewer', scope: 'read' } })).body;
    operateKey = (await hub.call<ApiKeyCreated>('POST', '/api/v1/api-keys', { body: { name: 'operator', scope: 'operate' } })).body;

    // People: one inside since before the range (the warm-up), two more coming and going; a car for ten minutes.
    const person: Box = [0.1, 0.2, 0.3, 0.6]; // bottom-centre (0.2, 0.6)
    const car: Box = [0.6, 0.5, 0.9, 0.95]; // bottom-centre (0.75, 0.95)
    events.push(
      zoneEvent('enter', -30, 'person', person),
      zoneEvent('enter', 5, 'person', person),
      zoneEvent('enter', 10, 'person', person),
      zoneEvent('exit', 20, 'person', person),
      zoneEvent('enter', 30, 'car', car),
      zoneEvent('exit', 40, 'car', car),
      zoneEvent('exit', 50, 'person', person),
      zoneEvent('exit', 55, 'person', person),
    );
    const ack = await device.sendBatch(batchOf('edge-1', events, [snapshotOf(events[4]!, 'frame')]));
    expect(ack.ids).toHaveLength(events.length);
  });

  afterAll(async () => {
    await device?.close();
    await hub?.close();
  });

  it('derives occupancy per zone and class from entries and exits, warm-up included', async () => {
    const response = await hub.call<OccupancyResponse>('GET', `/api/v1/occupancy?cameraId=gate&from=${T0}&to=${T0 + HOUR}&bucket=minute`, { token: readKey.key });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const { series, warmupMs, transitions, bucket } = response.body;
    expect(bucket).toBe('minute');
    expect(warmupMs).toBe(6 * HOUR);
    expect(transitions).toBe(events.length);
    expect(series.map((s) => [s.cameraId, s.zoneId, s.label])).toEqual([
      ['gate', 'door', null],
      ['gate', 'door', 'car'],
      ['gate', 'door', 'person'],
    ]);
    const all = series[0]!.points;
    expect(all).toHaveLength(60);
    const at = (minute: number) => all[minute]!;
    // 0-5: the person from the warm-up; 10-20: three people; 30-40: two people and the car; after 55: nobody.
    expect(at(0)).toEqual({ bucketStart: T0, max: 1, mean: 1, last: 1 });
    expect(at(12)).toMatchObject({ max: 3, mean: 3, last: 3 });
    expect(at(35)).toMatchObject({ max: 3, last: 3 });
    expect(at(45)).toMatchObject({ max: 2, last: 2 });
    expect(at(57)).toMatchObject({ max: 0, mean: 0, last: 0 });
    expect(series[1]!.points[35]).toMatchObject({ max: 1 });
    expect(series[1]!.points[45]).toMatchObject({ max: 0 });

    const hourly = await hub.call<OccupancyResponse>('GET', `/api/v1/occupancy?from=${new Date(T0).toISOString()}&to=${T0 + HOUR}&bucket=hour&label=person`);
    expect(hourly.status).toBe(200);
    const [hourAll] = hourly.body.series;
    // The whole hour: peak 3; mean (5·1 + 5·2 + 10·3 + 30·2 + 5·1) / 60 = 110 / 60.
    expect(hourAll!.points).toEqual([{ bucketStart: T0, max: 3, mean: Math.round((110 / 60) * 1000) / 1000, last: 0 }]);
    expect(hourly.body.series.map((s) => s.label)).toEqual([null, 'person']);

    const otherZone = await hub.call<OccupancyResponse>('GET', `/api/v1/occupancy?zoneId=lobby&from=${T0}&to=${T0 + HOUR}`);
    expect(otherZone.body.series).toEqual([]);
  });

  it('refuses occupancy queries it cannot answer, naming the field', async () => {
    expectError(await hub.call('GET', `/api/v1/occupancy?from=${T0}&to=${T0}`), 400, 'invalid_request', 'to');
    expectError(await hub.call('GET', `/api/v1/occupancy?from=${T0}&to=${T0 + 7 * 24 * HOUR}&bucket=minute`), 400, 'invalid_request', 'bucket');
    expectError(await hub.call('GET', `/api/v1/occupancy?from=${T0}&to=${T0 + 40 * 24 * HOUR}&bucket=day`), 400, 'invalid_request', 'to');
    expectError(await hub.call('GET', `/api/v1/occupancy?from=yesterday&to=${T0}`), 400, 'invalid_request', 'from');
    expectError(await hub.call('GET', `/api/v1/occupancy?from=${T0}&to=${T0 + HOUR}&zone=door`), 400, 'invalid_request', 'zone');
    expectError(await hub.call('GET', `/api/v1/occupancy?from=${T0}&to=${T0 + HOUR}`, { token: null }), 401, 'unauthorized');
  });

  it("bins a camera's event boxes into a heatmap over its latest frame snapshot", async () => {
    const response = await hub.call<Heatmap>('GET', `/api/v1/cameras/gate/heatmap?from=${T0 - HOUR}&to=${T0 + HOUR}`, { token: readKey.key });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const map = response.body;
    expect(map).toMatchObject({ cameraId: 'gate', cols: 32, rows: 18, anchor: 'bottom-center', total: events.length, truncated: false });
    expect(map.cells).toHaveLength(32 * 18);
    const cell = (x: number, y: number) => map.cells[Math.floor(y * 18) * 32 + Math.floor(x * 32)];
    expect(cell(0.2, 0.6)).toBe(6);
    expect(cell(0.75, 0.95)).toBe(2);
    expect(map.max).toBe(6);
    expect(map.cells.reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(map.background).toEqual({ url: `/api/v1/events/${events[4]!.id}/snapshots/frame`, width: 8, height: 8, wallTime: events[4]!.wallTime });
    const frame = await hub.call('GET', map.background!.url, { token: readKey.key });
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    expect(frame.bytes.equals(TINY_JPEG)).toBe(true);

    const cars = await hub.call<Heatmap>('GET', `/api/v1/cameras/gate/heatmap?from=${T0 - HOUR}&to=${T0 + HOUR}&label=car&anchor=center&cols=4&rows=4`);
    expect(cars.body).toMatchObject({ cols: 4, rows: 4, anchor: 'center', total: 2, max: 2 });
    // centre (0.75, 0.725) → column 3, row 2
    expect(cars.body.cells[2 * 4 + 3]).toBe(2);
    const none = await hub.call<Heatmap>('GET', `/api/v1/cameras/gate/heatmap?from=${T0 + 2 * HOUR}&to=${T0 + 3 * HOUR}`);
    expect(none.body).toMatchObject({ total: 0, max: 0 });

    expectError(await hub.call('GET', `/api/v1/cameras/gate/heatmap?from=${T0}&to=${T0 + HOUR}&cols=500`), 400, 'invalid_request', 'cols');
    expectError(await hub.call('GET', `/api/v1/cameras/gate/heatmap?from=${T0}&to=${T0 + HOUR}&anchor=top`), 400, 'invalid_request', 'anchor');
    expectError(await hub.call('GET', `/api/v1/cameras/nowhere/heatmap?from=${T0}&to=${T0 + HOUR}`), 404, 'not_found');
  });

  it('lists the catalogue and the cameras that use each model', async () => {
    const response = await hub.call<{ models: ModelInfo[] }>('GET', '/api/v1/models', { token: readKey.key });
    expect(response.status).toBe(200);
    const names = response.body.models.map((m) => m.name);
    expect(names).toEqual(catalogModels().map((m) => m.name));
    expect(response.body.models.find((m) => m.name === 'yolox-nano')!.cameras).toEqual([{ cameraId: 'gate', deviceId: 'edge-1', name: 'Gate', enabled: true, use: 'detection' }]);
    expect(response.body.models.find((m) => m.name === 'fastestdet')!.cameras).toEqual([]);
  });

  it('shows settings to every role, lets only admins change them, and names bad fields', async () => {
    const initial = await hub.call<HubSettings>('GET', '/api/v1/settings', { token: readKey.key });
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({
      eventRetentionDays: 30,
      iceServers: [],
      sources: { eventRetentionDays: 'default', iceServers: 'default' },
      updatedAt: null,
      updatedBy: null,
      recordings: { maxBytes: null, usedBytes: 0, defaultRetainDays: 7 },
    });
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { eventRetentionDays: 5 }, token: readKey.key }), 403, 'forbidden');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { eventRetentionDays: 5 }, token: operateKey.key }), 403, 'forbidden');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { eventRetentionDays: 0 } }), 400, 'invalid_request', 'eventRetentionDays');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { eventRetentionDays: 2.5 } }), 400, 'invalid_request', 'eventRetentionDays');
    const badUrl = await hub.call('PATCH', '/api/v1/settings', { body: { iceServers: [{ urls: 'http://stun.example.org' }] } });
    expectError(badUrl, 400, 'invalid_request', 'iceServers[0].urls');
    expect((badUrl.body as { error: { message: string } }).error.message).toContain('stun:');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { iceServers: [{ urls: ['stun:a.example.org', 'ftp:b'] }] } }), 400, 'invalid_request', 'iceServers[0].urls[1]');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { iceServers: [{ urls: 'turn:turn.example.org:3478' }] } }), 400, 'invalid_request', 'iceServers[0].username');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { iceServers: [{ urls: 'stun:x.org', password: 'p' }] } }), 400, 'invalid_request', 'iceServers[0].password');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: { retention: 3 } }), 400, 'invalid_request', 'retention');
    expectError(await hub.call('PATCH', '/api/v1/settings', { body: {} }), 400, 'invalid_request');
    // Nothing refused was stored.
    expect((await hub.call<HubSettings>('GET', '/api/v1/settings')).body.updatedAt).toBeNull();
  });

  it('applies a new event retention at once', async () => {
    const old = zoneEnter('gate', { wallTime: Date.now() - 20 * 24 * HOUR });
    await device.sendBatch(batchOf('edge-1', [old]));
    expect((await hub.call('GET', `/api/v1/events/${old.id}`)).status).toBe(200);
    const changed = await hub.call<HubSettings>('PATCH', '/api/v1/settings', { body: { eventRetentionDays: 10 } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ eventRetentionDays: 10, sources: { eventRetentionDays: 'console', iceServers: 'default' }, updatedBy: hub.adminUsername });
    expect(changed.body.updatedAt).toBeGreaterThan(Date.now() - 60_000);
    await waitFor('the 20-day-old event to be pruned', async () => (await hub.call('GET', `/api/v1/events/${old.id}`)).status === 404);
    // Recent events stay.
    expect((await hub.call('GET', `/api/v1/events/${events[0]!.id}`)).status).toBe(200);
    expect((await hub.call<HubSettings>('GET', '/api/v1/settings', { token: readKey.key })).body.eventRetentionDays).toBe(10);
  });

  it('hands new ICE servers to the next edge asked to publish', async () => {
    const iceServers = [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'sightline', credential: 'secret' }];
    const changed = await hub.call<HubSettings>('PATCH', '/api/v1/settings', { body: { iceServers } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.iceServers).toEqual(iceServers);
    expect(changed.body.sources.iceServers).toBe('console');

    const pc = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
    try {
      pc.addTransceiver('video', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const whep = await hub.call('POST', '/api/v1/cameras/gate/whep', { rawBody: pc.localDescription!.sdp, headers: { 'content-type': 'application/sdp' }, token: readKey.key });
      expect(whep.status, String(whep.body)).toBe(201);
      const start = await waitFor('the publish command', () => device.jsonOn<LiveCommand>(device.topics.live).find((c) => c.action === 'start'), 10_000);
      expect(start).toMatchObject({ action: 'start', cameraId: 'gate', iceServers });
      await hub.call('DELETE', whep.headers.get('location')!, { token: readKey.key });
    } finally {
      await pc.close();
    }
  });

  it('says whether first-run setup is needed, to anyone', async () => {
    const status = await hub.call('GET', '/api/v1/setup/status', { token: null });
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ needed: false });
    const fresh = await startTestHub({}, false);
    try {
      expect((await fresh.call('GET', '/api/v1/setup/status', { token: null })).body).toEqual({ needed: true });
      // A garbage credential does not matter to a public route.
      expect((await fresh.call('GET', '/api/v1/setup/status', { token: 'garbage' })).body).toEqual({ needed: true });
      expect((await fresh.call('POST', '/api/v1/setup', { body: { username: 'first', password: 'long enough password' }, token: null })).status).toBe(201);
      expect((await fresh.call('GET', '/api/v1/setup/status', { token: null })).body).toEqual({ needed: false });
    } finally {
      await fresh.close();
    }
  });
});

describe('hub settings service', () => {
  it('prefers stored values over start options over defaults, and ignores a stored value it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-settings-'));
    const store = createStore({ dataDir: dir });
    try {
      await store.migrate();
      const log = pino({ level: 'silent' });
      const startupIce = { loopbackOnly: true, iceServers: [{ urls: 'stun:startup.example.org' }] };
      const fresh = await HubSettingsService.load({ store, log, startup: { eventRetentionDays: 12, ice: startupIce }, recordingsMaxBytes: 5e9 });
      expect(await fresh.view()).toMatchObject({
        eventRetentionDays: 12,
        iceServers: startupIce.iceServers,
        sources: { eventRetentionDays: 'startup', iceServers: 'startup' },
        recordings: { maxBytes: 5e9, usedBytes: 0 },
      });
      // The live plane's ICE options keep loopbackOnly and follow changes in place.
      const ice = fresh.liveIce;
      expect(ice).toEqual(startupIce);
      await fresh.update({ iceServers: [{ urls: 'stun:changed.example.org' }] }, 'admin', 1000);
      expect(ice.iceServers).toEqual([{ urls: 'stun:changed.example.org' }]);
      expect(ice.loopbackOnly).toBe(true);

      await store.putSettings({ eventRetentionDays: 'forever' }, 2000, 'someone');
      const reloaded = await HubSettingsService.load({ store, log, startup: { eventRetentionDays: 12, ice: startupIce }, recordingsMaxBytes: undefined });
      expect(await reloaded.view()).toMatchObject({
        eventRetentionDays: 12,
        iceServers: [{ urls: 'stun:changed.example.org' }],
        sources: { eventRetentionDays: 'startup', iceServers: 'console' },
        updatedAt: 1000,
        updatedBy: 'admin',
        recordings: { maxBytes: null },
      });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
