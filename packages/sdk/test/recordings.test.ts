import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingList } from '@sightline/protocol';
import { SightlineApiError, SightlineClient } from '../src/index.js';
import { apiError, CannedHub } from './canned-hub.js';

const T0 = Date.UTC(2026, 10, 3, 9);

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
  client = new SightlineClient({ baseUrl: hub.url, apiKey: 'k', timeoutMs: 5_000 });
});

const list: RecordingList = {
  cameraId: 'dock',
  from: T0,
  to: T0 + 60_000,
  ranges: [{ from: T0, to: T0 + 8000 }],
  gaps: [{ from: T0 + 8000, to: T0 + 60_000 }],
  segments: [
    { id: '0190b1a2-1111-7abc-8def-0123456789ab', cameraId: 'dock', deviceId: 'pi', startedAt: T0, endedAt: T0 + 4000, bytes: 1234 },
    { id: '0190b1a2-1112-7abc-8def-0123456789ab', cameraId: 'dock', deviceId: 'pi', startedAt: T0 + 4000, endedAt: T0 + 8000, bytes: 1200 },
  ],
  truncated: false,
};

describe('recordings', () => {
  it('lists a range, sending Dates as Unix ms, and validates the answer', async () => {
    hub.on('GET /api/v1/cameras/dock/recordings', { json: list });
    expect(await client.recordings.list('dock', { from: new Date(T0), to: T0 + 60_000, limit: 50 })).toEqual(list);
    const sent = hub.last('GET /api/v1/cameras/dock/recordings');
    expect(Object.fromEntries(sent.query)).toEqual({ from: String(T0), to: String(T0 + 60_000), limit: '50' });
    expect(sent.headers.authorization).toBe('Bearer k');

    hub.on('GET /api/v1/cameras/dock/recordings', { json: { ...list, ranges: 'nope' } });
    const bad = await client.recordings.list('dock', { from: T0, to: T0 + 1 }).catch((err: unknown) => err);
    expect(bad).toBeInstanceOf(SightlineApiError);
    expect((bad as SightlineApiError).code).toBe('bad_response');
  });

  it('gets a recordings token and builds clip URLs that carry it', async () => {
    hub.on('POST /api/v1/cameras/dock/recordings-token', { status: 201, json: { token: 'mt_abc.def', expiresAt: T0 + 1_800_000 } });
    const { token } = await client.recordings.token('dock');
    expect(token).toBe('mt_abc.def');

    const url = new URL(client.recordings.clipUrl('dock', { from: new Date(T0), to: '2026-11-03T09:01:00Z' }, { accessToken: token, download: true }));
    expect(url.pathname).toBe('/api/v1/cameras/dock/recordings/clip.mp4');
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: String(T0), to: '2026-11-03T09:01:00Z', download: 'true', access_token: token });
    expect(client.recordings.clipUrl('a b', { from: 1, to: 2 })).toBe(`${hub.url}/api/v1/cameras/a%20b/recordings/clip.mp4?from=1&to=2`);

    const eventUrl = new URL(client.recordings.eventClipUrl('0190b1a2-1111-7abc-8def-0123456789ab', { accessToken: token }));
    expect(eventUrl.pathname).toBe('/api/v1/events/0190b1a2-1111-7abc-8def-0123456789ab/clip.mp4');
    expect(eventUrl.searchParams.get('access_token')).toBe(token);
  });

  it('downloads clip bytes, and reports a missing recording as the hub said', async () => {
    const mp4 = new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 1, 2, 3]);
    hub.on('GET /api/v1/cameras/dock/recordings/clip.mp4', { body: mp4, headers: { 'content-type': 'video/mp4' } });
    expect(await client.recordings.clip('dock', { from: T0, to: T0 + 4000 })).toEqual(mp4);
    expect(Object.fromEntries(hub.last('GET /api/v1/cameras/dock/recordings/clip.mp4').query)).toEqual({ from: String(T0), to: String(T0 + 4000) });

    hub.on('GET /api/v1/events/e1/clip.mp4', apiError(404, 'not_found', 'camera "dock" has no recording between …'));
    const missing = await client.recordings.eventClip('e1').catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(SightlineApiError);
    expect((missing as SightlineApiError).status).toBe(404);
    expect((missing as SightlineApiError).code).toBe('not_found');
  });
});
