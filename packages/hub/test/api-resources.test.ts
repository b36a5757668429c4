import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Camera, type CreateDeviceResponse, type Device, type EnrollResponse, type EnrollmentToken } from '@sightline/protocol';
import { startTestHub, type ApiResponse, type TestHub } from './support/test-hub.js';
import { EventStreamClient } from './support/event-stream.js';
import { sleep, waitFor, within } from './support/wait.js';

const ZONES_AND_LINES = {
  zones: [{ id: 'door', name: 'Door', polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.6]], loiterSeconds: 30 }],
  lines: [{ id: 'gate', a: [0, 0.5], b: [1, 0.5], filter: { classes: ['person'] } }],
};

function expectError(response: ApiResponse, status: number, code: string, field?: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = response.body as { error: { code: string; message: string; field?: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  if (field === undefined) expect(body.error.field).toBeUndefined();
  else expect(body.error.field).toBe(field);
}

describe('hub API resources', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
  });

  /** After every refusal the hub must still answer a normal call. */
  async function expectServing(): Promise<void> {
    const response = await hub.call<Device[]>('GET', '/api/v1/devices');
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body)).toBe(true);
  }

  describe('devices and enrollment', () => {
    it('creates a device with a one-time enrollment token and the edge command', async () => {
      const created = await hub.call<CreateDeviceResponse>('POST', '/api/v1/devices', { body: { id: 'dock-1', name: 'Loading dock' } });
      expect(created.status).toBe(201);
      const { device, enrollment } = created.body;
      expect(device).toMatchObject({ id: 'dock-1', name: 'Loading dock', enrolled: false, online: false, configVersion: 0, cameras: [], outbox: null });
      expect(enrollment.deviceId).toBe('dock-1');
      expect(enrollment.token.length).toBeGreaterThanOrEqual(20);
      expect(enrollment.expiresAt).toBeGreaterThan(Date.now());
      expect(enrollment.command).toBe(`sightline edge --hub ${hub.hub.url} --token ${enrollment.token}`);

      const duplicate = await hub.call('POST', '/api/v1/devices', { body: { id: 'dock-1' } });
      expectError(duplicate, 409, 'conflict', 'id');

      const one = await hub.call<Device>('GET', '/api/v1/devices/dock-1');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: 'dock-1', name: 'Loading dock', enrolled: false });
      const list = await hub.call<Device[]>('GET', '/api/v1/devices');
      expect(list.body.map((d) => d.id)).toContain('dock-1');
      expectError(await hub.call('GET', '/api/v1/devices/no-such-device'), 404, 'not_found');
    });

    it('trades a token for MQTT credentials exactly once', async () => {
      const created = await hub.call<CreateDeviceResponse>('POST', '/api/v1/devices', { body: { id: 'yard-1' } });
      const token = created.body.enrollment.token;
      const enrolled = await hub.call<EnrollResponse>('POST', '/api/v1/enroll', { body: { token }, token: null });
      expect(enrolled.status).toBe(200);
      expect(enrolled.body.deviceId).toBe('yard-1');
      expect(enrolled.body.mqtt).toEqual({ url: hub.hub.mqttUrl, username: 'yard-1', password: expect.any(String) });
      expect(enrolled.body.mqtt.password.length).toBeGreaterThanOrEqual(20);
      expect((await hub.call<Device>('GET', '/api/v1/devices/yard-1')).body.enrolled).toBe(true);

      expectError(await hub.call('POST', '/api/v1/enroll', { body: { token }, token: null }), 401, 'invalid_token');
      expectError(await hub.call('POST', '/api/v1/enroll', { body: { token: 'x'.repeat(32) }, token: null }), 401, 'invalid_token');
      expectError(await hub.call('POST', '/api/v1/enroll', { body: { token: 'short' }, token: null }), 400, 'invalid_request', 'token');
    });

    it('a new enrollment token replaces the previous one', async () => {
      const created = await hub.call<CreateDeviceResponse>('POST', '/api/v1/devices', { body: { id: 'yard-2' } });
      const renewed = await hub.call<EnrollmentToken>('POST', '/api/v1/devices/yard-2/enrollment-token');
      expect(renewed.status).toBe(201);
      expect(renewed.body.deviceId).toBe('yard-2');
      expect(renewed.body.token).not.toBe(created.body.enrollment.token);
      expect(renewed.body.command).toContain(renewed.body.token);
      expectError(await hub.call('POST', '/api/v1/enroll', { body: { token: created.body.enrollment.token }, token: null }), 401, 'invalid_token');
      expect((await hub.call('POST', '/api/v1/enroll', { body: { token: renewed.body.token }, token: null })).status).toBe(200);
      expectError(await hub.call('POST', '/api/v1/devices/no-such-device/enrollment-token'), 404, 'not_found');
    });

    it('deletes a device with its cameras; its token stops working', async () => {
      const created = await hub.call<CreateDeviceResponse>('POST', '/api/v1/devices', { body: { id: 'gone-1' } });
      expect((await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'gone-1', id: 'gone-cam', source: 'lavfi:testsrc' } })).status).toBe(201);
      expect((await hub.call('DELETE', '/api/v1/devices/gone-1')).status).toBe(204);
      expectError(await hub.call('GET', '/api/v1/devices/gone-1'), 404, 'not_found');
      expectError(await hub.call('GET', '/api/v1/cameras/gone-cam'), 404, 'not_found');
      expect((await hub.call<Device[]>('GET', '/api/v1/devices')).body.map((d) => d.id)).not.toContain('gone-1');
      expectError(await hub.call('POST', '/api/v1/enroll', { body: { token: created.body.enrollment.token }, token: null }), 401, 'invalid_token');
      expectError(await hub.call('DELETE', '/api/v1/devices/gone-1'), 404, 'not_found');
      // The id is free again.
      expect((await hub.call('POST', '/api/v1/devices', { body: { id: 'gone-1' } })).status).toBe(201);
    });
  });

  describe('cameras', () => {
    beforeAll(async () => {
      expect((await hub.call('POST', '/api/v1/devices', { body: { id: 'cam-host' } })).status).toBe(201);
    });

    it('creates a camera with zones and lines, filling in the defaults', async () => {
      const before = (await hub.call<Device>('GET', '/api/v1/devices/cam-host')).body.configVersion;
      const created = await hub.call<Camera>('POST', '/api/v1/cameras', {
        body: { deviceId: 'cam-host', id: 'entrance', name: 'Entrance', source: 'rtsp://10.0.0.5/stream', analytics: ZONES_AND_LINES },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: 'entrance', deviceId: 'cam-host', applied: null, health: null });
      expect(created.body.config).toMatchObject({ id: 'entrance', name: 'Entrance', source: 'rtsp://10.0.0.5/stream', model: 'yolox-nano', fps: 5, enabled: true });
      expect(created.body.config.analytics.zones[0]).toMatchObject({ id: 'door', loiterSeconds: 30, filter: { anchor: 'bottom-center' } });
      expect(created.body.config.analytics.lines[0]).toMatchObject({ id: 'gate', invert: false, filter: { classes: ['person'] } });
      expect(created.body.configVersion).toBeGreaterThan(before);

      expectError(
        await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'cam-host', id: 'entrance', source: 'lavfi:testsrc' } }),
        409,
        'conflict',
        'id',
      );
      expectError(await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'no-such-device', id: 'orphan', source: 'lavfi:testsrc' } }), 404, 'not_found');
      expect((await hub.call<Camera[]>('GET', '/api/v1/cameras?deviceId=cam-host')).body.map((c) => c.id)).toEqual(['entrance']);
      expect((await hub.call<Camera[]>('GET', '/api/v1/cameras?deviceId=dock-1')).body).toEqual([]);
      expect((await hub.call<Camera[]>('GET', '/api/v1/cameras')).body.map((c) => c.id)).toContain('entrance');
    });

    it('PATCH changes only the fields it is given', async () => {
      const before = (await hub.call<Camera>('GET', '/api/v1/cameras/entrance')).body;
      const patched = await hub.call<Camera>('PATCH', '/api/v1/cameras/entrance', { body: { fps: 2 } });
      expect(patched.status).toBe(200);
      expect(patched.body.config).toEqual({ ...before.config, fps: 2 });
      expect(patched.body.configVersion).toBeGreaterThan(before.configVersion);
      expect(patched.body.updatedAt).toBeGreaterThanOrEqual(before.updatedAt);

      const renamed = await hub.call<Camera>('PATCH', '/api/v1/cameras/entrance', { body: { name: 'Front door', enabled: false, analytics: { zones: [], lines: [] } } });
      expect(renamed.body.config).toMatchObject({ name: 'Front door', enabled: false, fps: 2, model: 'yolox-nano', source: 'rtsp://10.0.0.5/stream' });
      expect(renamed.body.config.analytics).toEqual({ zones: [], lines: [] });
      expect((await hub.call<Camera>('GET', '/api/v1/cameras/entrance')).body.config).toEqual(renamed.body.config);

      expectError(await hub.call('PATCH', '/api/v1/cameras/entrance', { body: { fps: 0 } }), 400, 'invalid_request', 'fps');
      expectError(await hub.call('PATCH', '/api/v1/cameras/entrance', { body: { fps: 'fast' } }), 400, 'invalid_request', 'fps');
      expectError(await hub.call('PATCH', '/api/v1/cameras/entrance', { body: { id: 'renamed' } }), 400, 'invalid_request', 'id');
      expectError(await hub.call('PATCH', '/api/v1/cameras/entrance', { body: { deviceId: 'dock-1' } }), 400, 'invalid_request', 'deviceId');
      expectError(
        await hub.call('PATCH', '/api/v1/cameras/entrance', { body: { analytics: { zones: [{ id: 'z', polygon: [[0, 0], [1, 1]] }] } } }),
        400,
        'invalid_request',
        'analytics.zones[0].polygon',
      );
      expectError(await hub.call('PATCH', '/api/v1/cameras/no-such-camera', { body: { fps: 2 } }), 404, 'not_found');
      // Refused patches changed nothing.
      expect((await hub.call<Camera>('GET', '/api/v1/cameras/entrance')).body.config).toEqual(renamed.body.config);
    });

    it('validates camera creation and names the bad field', async () => {
      const base = { deviceId: 'cam-host', id: 'bad-cam', source: 'lavfi:testsrc' };
      expectError(await hub.call('POST', '/api/v1/cameras', { body: { ...base, fps: 500 } }), 400, 'invalid_request', 'fps');
      expectError(await hub.call('POST', '/api/v1/cameras', { body: { ...base, source: '' } }), 400, 'invalid_request', 'source');
      expectError(await hub.call('POST', '/api/v1/cameras', { body: { ...base, id: 'has space' } }), 400, 'invalid_request', 'id');
      expectError(await hub.call('POST', '/api/v1/cameras', { body: { ...base, colour: 'red' } }), 400, 'invalid_request', 'colour');
      const { source: _source, ...noSource } = base;
      expectError(await hub.call('POST', '/api/v1/cameras', { body: noSource }), 400, 'invalid_request', 'source');
      expectError(await hub.call('GET', '/api/v1/cameras/bad%20id'), 400, 'invalid_request', 'id');
      expectError(await hub.call('GET', '/api/v1/cameras?device=cam-host'), 400, 'invalid_request', 'device');
      expectError(await hub.call('GET', '/api/v1/cameras/bad-cam'), 404, 'not_found');
    });

    it('deletes a camera', async () => {
      expect((await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'cam-host', id: 'temporary', source: 'lavfi:testsrc' } })).status).toBe(201);
      const version = (await hub.call<Device>('GET', '/api/v1/devices/cam-host')).body.configVersion;
      const deleted = await hub.call('DELETE', '/api/v1/cameras/temporary');
      expect(deleted.status).toBe(204);
      expect(deleted.bytes.length).toBe(0);
      expectError(await hub.call('GET', '/api/v1/cameras/temporary'), 404, 'not_found');
      expect((await hub.call<Device>('GET', '/api/v1/devices/cam-host')).body.configVersion).toBeGreaterThan(version);
      expectError(await hub.call('DELETE', '/api/v1/cameras/temporary'), 404, 'not_found');
    });
  });

  describe('malformed requests', () => {
    it('answers bad JSON, wrong types and unknown fields with the error format', async () => {
      expectError(await hub.call('POST', '/api/v1/devices', { rawBody: '{"id": "a",' }), 400, 'invalid_json');
      await expectServing();
      expectError(await hub.call('POST', '/api/v1/devices', { rawBody: '' }), 400, 'invalid_json');
      expectError(await hub.call('POST', '/api/v1/devices', { body: { id: 42 } }), 400, 'invalid_request', 'id');
      expectError(await hub.call('POST', '/api/v1/devices', { body: [] }), 400, 'invalid_request');
      expectError(await hub.call('POST', '/api/v1/devices', { rawBody: 'null' }), 400, 'invalid_request');
      expectError(await hub.call('POST', '/api/v1/devices', { body: { id: 'typo-dev', nmae: 'typo' } }), 400, 'invalid_request', 'nmae');
      expectError(await hub.call('POST', '/api/v1/api-keys', { body: { name: 'k', scope: 'root' } }), 400, 'invalid_request', 'scope');
      expectError(await hub.call('POST', '/api/v1/devices', { rawBody: '<id>x</id>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type');
      // Nothing was created by any of them.
      expectError(await hub.call('GET', '/api/v1/devices/typo-dev'), 404, 'not_found');
      await expectServing();
    });

    it('refuses a body over the limit with 413 and keeps serving', async () => {
      const big = JSON.stringify({ id: 'big-dev', name: 'x'.repeat(1024 * 1024 + 10) });
      expectError(await hub.call('POST', '/api/v1/devices', { rawBody: big }), 413, 'payload_too_large');
      await expectServing();
      // Just under the limit is parsed (and refused by the schema for its long name, not for its size).
      const near = JSON.stringify({ id: 'big-dev', name: 'x'.repeat(1000 * 1024) });
      expectError(await hub.call('POST', '/api/v1/devices', { rawBody: near }), 400, 'invalid_request', 'name');
      await expectServing();
    });

    it('validates query strings and path parameters', async () => {
      expectError(await hub.call('GET', '/api/v1/events?limit=0'), 400, 'invalid_request', 'limit');
      expectError(await hub.call('GET', '/api/v1/events?limit=1001'), 400, 'invalid_request', 'limit');
      expectError(await hub.call('GET', '/api/v1/events?limit=ten'), 400, 'invalid_request', 'limit');
      expectError(await hub.call('GET', '/api/v1/events?cursor=nope'), 400, 'invalid_request', 'cursor');
      expectError(await hub.call('GET', '/api/v1/events?type=zone.dance'), 400, 'invalid_request', 'type');
      expectError(await hub.call('GET', '/api/v1/events?colour=red'), 400, 'invalid_request', 'colour');
      expectError(await hub.call('GET', '/api/v1/events?from=yesterday'), 400, 'invalid_request', 'from');
      expectError(await hub.call('GET', '/api/v1/events/not-a-uuid'), 400, 'invalid_request', 'id');
      expectError(await hub.call('GET', `/api/v1/events/${newId()}`), 404, 'not_found');
      expectError(await hub.call('GET', `/api/v1/events/${newId()}/snapshots/crop`), 404, 'not_found');
      expectError(await hub.call('GET', `/api/v1/events/${newId()}/snapshots/thumbnail`), 400, 'invalid_request', 'kind');
      expectError(await hub.call('GET', '/api/v1/counts?from=2000&to=1000'), 400, 'invalid_request', 'to');
      expectError(await hub.call('GET', '/api/v1/counts?to=1000'), 400, 'invalid_request', 'from');
      expectError(await hub.call('GET', '/api/v1/counts?from=0&to=1000&bucket=week'), 400, 'invalid_request', 'bucket');
      expectError(await hub.call('GET', '/api/v1/no-such-thing'), 404, 'not_found');

      const page = await hub.call<{ events: unknown[]; nextCursor: string | null }>('GET', '/api/v1/events?limit=1000&from=2020-01-01T00:00:00Z');
      expect(page.status).toBe(200);
      expect(page.body).toEqual({ events: [], nextCursor: null });
      const counts = await hub.call('GET', `/api/v1/counts?from=0&to=${Date.now()}&bucket=day`);
      expect(counts.status).toBe(200);
      expect(counts.body).toEqual({ bucket: 'day', points: [] });
      await expectServing();
    });
  });
});

describe('enrollment token expiry', () => {
  it('refuses a token after its time to live', async () => {
    const hub = await startTestHub({ enrollmentTtlMs: 1000 });
    try {
      const created = await hub.call<CreateDeviceResponse>('POST', '/api/v1/devices', { body: { id: 'late-1' } });
      expect(created.body.enrollment.expiresAt).toBeLessThanOrEqual(Date.now() + 1000);
      await sleep(created.body.enrollment.expiresAt - Date.now() + 50);
      expectError(await hub.call('POST', '/api/v1/enroll', { body: { token: created.body.enrollment.token }, token: null }), 401, 'invalid_token');
      expect((await hub.call<Device>('GET', '/api/v1/devices/late-1')).body.enrolled).toBe(false);
      // A fresh token works while it is fresh.
      const renewed = await hub.call<EnrollmentToken>('POST', '/api/v1/devices/late-1/enrollment-token');
      expect((await hub.call('POST', '/api/v1/enroll', { body: { token: renewed.body.token }, token: null })).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});

describe('live event stream', () => {
  it('keeps the stream alive with pings, answers HEAD without holding the socket, and validates its filter', async () => {
    const hub = await startTestHub({ streamPingMs: 50 });
    try {
      const stream = await EventStreamClient.open(hub.hub.url, hub.adminKey, { cameraId: 'cam-1', type: 'zone.enter' });
      await waitFor('two pings', () => stream.messages.filter((m) => m === ': ping').length >= 2);
      await stream.close();

      const head = await within(3000, 'HEAD of the stream', hub.call('HEAD', '/api/v1/events/stream'));
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toContain('text/event-stream');
      // The same keep-alive connection serves the next calls.
      for (let i = 0; i < 3; i++) expect((await within(3000, 'a call after HEAD', hub.call('GET', '/api/v1/auth/me'))).status).toBe(200);

      expectError(await hub.call('GET', '/api/v1/events/stream?type=zone.dance'), 400, 'invalid_request', 'type');
      expectError(await hub.call('GET', '/api/v1/events/stream?from=0'), 400, 'invalid_request', 'from');
    } finally {
      await hub.close();
    }
  });

  it('shuts the hub down promptly while a client is still streaming', async () => {
    const hub = await startTestHub();
    const stream = await EventStreamClient.open(hub.hub.url, hub.adminKey);
    try {
      await within(3000, 'closing the hub', hub.close());
      // The client sees its stream end rather than hang.
      await within(2000, 'the end of the stream', stream.ended);
    } finally {
      await stream.close();
    }
  });
});
