import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type RecordingList, type RecordingToken, type RecordingUploadResult } from '@sightline/protocol';
import { startTestHub, type ApiResponse, type TestHub } from './support/test-hub.js';
import { enrollDevice, type EnrolledDevice } from './support/device-client.js';
import { FRAME_MS, makeSegments, probeVideo } from './support/recording-media.js';
import { makeEvent } from './store-fixtures.js';
import { waitFor } from './support/wait.js';

// An hour ago, on a whole second: well inside every retention period.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const SEGMENT_MS = 4000;
/** ffprobe durations may differ from the asked range by the frame at each end. */
const TOLERANCE_S = (2 * FRAME_MS) / 1000;

const basic = (device: EnrolledDevice) =>
  `Basic ${Buffer.from(`${device.credentials.mqtt.username}:${device.credentials.mqtt.password}`).toString('base64')}`;

interface UploadSpec {
  id?: string;
  cameraId: string;
  startedAt: number | string;
  durationMs?: number | string;
  body: Buffer;
  contentType?: string;
}

function upload<T = RecordingUploadResult>(hub: TestHub, device: EnrolledDevice, spec: UploadSpec): Promise<ApiResponse<T>> {
  const query = new URLSearchParams({ cameraId: spec.cameraId, startedAt: String(spec.startedAt), durationMs: String(spec.durationMs ?? SEGMENT_MS) });
  return hub.call<T>('PUT', `/api/v1/recordings/segments/${spec.id ?? newId()}?${query}`, {
    token: null,
    headers: { authorization: basic(device), 'content-type': spec.contentType ?? 'video/mp4' },
    rawBody: spec.body,
  });
}

/** Writes the answer's bytes to a file and probes it with ffprobe. */
async function probeAnswer(dir: string, response: ApiResponse) {
  const path = join(dir, `${newId()}.mp4`);
  writeFileSync(path, response.bytes);
  return probeVideo(path);
}

const segmentFiles = (hub: TestHub, cameraId: string): string[] => {
  const root = join(hub.dataDir, 'recordings', cameraId);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.mp4'));
};

describe('recordings API', () => {
  let hub: TestHub;
  let work: string;
  let device: EnrolledDevice;
  let otherDevice: EnrolledDevice;
  let segments: Buffer[];
  const uploaded: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sightline-rec-api-'));
    [hub, segments] = await Promise.all([startTestHub(), makeSegments(work, 3, SEGMENT_MS / 1000)]);
    device = await enrollDevice(hub, 'rec-dev');
    otherDevice = await enrollDevice(hub, 'rec-dev-2');
    const recording = { mode: 'continuous', preRollSeconds: 2, postRollSeconds: 3, retainDays: 7 };
    for (const [deviceId, id] of [['rec-dev', 'rec-cam'], ['rec-dev-2', 'other-cam'], ['rec-dev', 'doomed-cam']]) {
      const created = await hub.call('POST', '/api/v1/cameras', { body: { deviceId, id, source: 'lavfi:testsrc', recording } });
      expect(created.status).toBe(201);
    }
    // rec-cam: 0–12 s recorded without a break, nothing from 12 to 20 s, then 20–24 s.
    const plan: [number, Buffer][] = [
      [T0, segments[0]!],
      [T0 + 4000, segments[1]!],
      [T0 + 8000, segments[2]!],
      [T0 + 20_000, segments[0]!],
    ];
    for (const [startedAt, body] of plan) {
      const response = await upload(hub, device, { cameraId: 'rec-cam', startedAt, body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.stored).toBe(true);
      uploaded.push(response.body.segment.id);
    }
  });

  afterAll(async () => {
    await hub?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('stores uploads and lists segments, recorded ranges and gaps', async () => {
    const list = await hub.call<RecordingList>('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0 - 5000}&to=${T0 + 30_000}`);
    expect(list.status).toBe(200);
    expect(list.body.segments.map((s) => s.id)).toEqual(uploaded);
    expect(list.body.segments[1]).toMatchObject({ cameraId: 'rec-cam', deviceId: 'rec-dev', startedAt: T0 + 4000, endedAt: T0 + 8000, bytes: segments[1]!.length });
    expect(list.body.ranges).toEqual([
      { from: T0, to: T0 + 12_000 },
      { from: T0 + 20_000, to: T0 + 24_000 },
    ]);
    expect(list.body.gaps).toEqual([
      { from: T0 - 5000, to: T0 },
      { from: T0 + 12_000, to: T0 + 20_000 },
      { from: T0 + 24_000, to: T0 + 30_000 },
    ]);
    expect(list.body.truncated).toBe(false);

    // A window inside one segment still finds it; a limit truncates the list but not the ranges.
    const inner = await hub.call<RecordingList>('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0 + 5000}&to=${T0 + 6000}`);
    expect(inner.body.segments.map((s) => s.id)).toEqual([uploaded[1]]);
    const limited = await hub.call<RecordingList>('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0}&to=${T0 + 30_000}&limit=2`);
    expect(limited.body.segments).toHaveLength(2);
    expect(limited.body.truncated).toBe(true);
    expect(limited.body.ranges).toHaveLength(2);

    expect(segmentFiles(hub, 'rec-cam')).toHaveLength(4);
    expect(await hub.metric('sightline_recording_segments_uploaded_total')).toBe(4);
    const total = segments[0]!.length * 2 + segments[1]!.length + segments[2]!.length;
    expect(await hub.metric('sightline_recording_bytes')).toBe(total);

    const bad = await hub.call('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0}&to=${T0 - 1}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request', field: 'to' } });
    const tooLong = await hub.call('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0}&to=${T0 + 25 * 3_600_000}`);
    expect(tooLong.body).toMatchObject({ error: { code: 'invalid_request', field: 'to', message: expect.stringContaining('24 hours') } });
    expect((await hub.call('GET', `/api/v1/cameras/nope/recordings?from=${T0}&to=${T0 + 1}`)).status).toBe(404);
  });

  it('exports one MP4 for a time range, starting at the keyframe before it and skipping gaps', async () => {
    // 1.5 s into the first segment (keyframes every second: the clip starts at 1 s) to 2.3 s into the third.
    const clip = await hub.call('GET', `/api/v1/cameras/rec-cam/recordings/clip.mp4?from=${T0 + 1500}&to=${T0 + 10_300}`);
    expect(clip.status).toBe(200);
    expect(clip.headers.get('content-type')).toBe('video/mp4');
    expect(clip.headers.get('accept-ranges')).toBe('bytes');
    expect(clip.headers.get('content-disposition')).toMatch(/^inline; filename="rec-cam-.*\.mp4"$/);
    const probe = await probeAnswer(work, clip);
    expect(probe.codec).toBe('h264');
    expect(probe.width).toBe(320);
    expect(Math.abs(probe.durationS - (10_300 - 1000) / 1000)).toBeLessThanOrEqual(TOLERANCE_S);
    // The moov box is in front (faststart): a browser can play before the whole file arrived.
    expect(clip.bytes.indexOf('moov')).toBeLessThan(clip.bytes.indexOf('mdat'));

    // Across the 8-second gap: 2 s before it and 2 s after, back to back.
    const across = await hub.call('GET', `/api/v1/cameras/rec-cam/recordings/clip.mp4?from=${T0 + 10_000}&to=${T0 + 22_000}&download=true`);
    expect(across.status).toBe(200);
    expect(across.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(Math.abs((await probeAnswer(work, across)).durationS - 4)).toBeLessThanOrEqual(TOLERANCE_S);

    const nothing = await hub.call('GET', `/api/v1/cameras/rec-cam/recordings/clip.mp4?from=${T0 + 13_000}&to=${T0 + 19_000}`);
    expect(nothing.status).toBe(404);
    expect(nothing.body).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('no recording') } });
    const tooLong = await hub.call('GET', `/api/v1/cameras/rec-cam/recordings/clip.mp4?from=${T0}&to=${T0 + 7 * 3_600_000}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ error: { field: 'to' } });
  });

  it('serves Range requests so a <video> element can seek', async () => {
    const path = `/api/v1/cameras/rec-cam/recordings/clip.mp4?from=${T0}&to=${T0 + 8000}`;
    const whole = await hub.call('GET', path);
    const size = whole.bytes.length;
    expect(Number(whole.headers.get('content-length'))).toBe(size);

    const head = await hub.call('GET', path, { headers: { range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
    expect(head.bytes.equals(whole.bytes.subarray(0, 100))).toBe(true);
    const rest = await hub.call('GET', path, { headers: { range: 'bytes=100-' } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 100-${size - 1}/${size}`);
    expect(Buffer.concat([head.bytes, rest.bytes]).equals(whole.bytes)).toBe(true);
    const tail = await hub.call('GET', path, { headers: { range: 'bytes=-50' } });
    expect(tail.bytes.equals(whole.bytes.subarray(size - 50))).toBe(true);
    const beyond = await hub.call('GET', path, { headers: { range: `bytes=${size + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
    // Several ranges at once are answered with the whole body, as HTTP allows.
    expect((await hub.call('GET', path, { headers: { range: 'bytes=0-1,5-9' } })).status).toBe(200);
  });

  it("plays an event's moment: the camera's pre-roll before it to its post-roll after", async () => {
    const event = { ...makeEvent({ wallTime: T0 + 6000, cameraId: 'rec-cam' }), id: newId() };
    await hub.hub.store.ingest('rec-dev', [event], [], Date.now());
    const clip = await hub.call('GET', `/api/v1/events/${event.id}/clip.mp4`);
    expect(clip.status).toBe(200);
    expect(clip.headers.get('content-disposition')).toBe(`inline; filename="event-${event.id}.mp4"`);
    // 2 s pre-roll, 3 s post-roll: from 4 s (a keyframe, a segment start) to 9 s.
    expect(Math.abs((await probeAnswer(work, clip)).durationS - 5)).toBeLessThanOrEqual(TOLERANCE_S);
    const missing = await hub.call('GET', `/api/v1/events/${newId()}/clip.mp4`);
    expect(missing.status).toBe(404);
  });

  it('accepts a recordings token for its camera only, in the URL, and no token for another camera', async () => {
    const clipPath = (camera: string) => `/api/v1/cameras/${camera}/recordings/clip.mp4?from=${T0}&to=${T0 + 4000}`;
    const issued = await hub.call<RecordingToken>('POST', '/api/v1/cameras/rec-cam/recordings-token');
    expect(issued.status).toBe(201);
    expect(issued.body.expiresAt).toBeGreaterThan(Date.now());
    const token = issued.body.token;

    const withToken = await hub.call('GET', `${clipPath('rec-cam')}&access_token=${token}`, { token: null });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('content-type')).toBe('video/mp4');
    const ranged = await hub.call('GET', `${clipPath('rec-cam')}&access_token=${token}`, { token: null, headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);

    const otherToken = (await hub.call<RecordingToken>('POST', '/api/v1/cameras/other-cam/recordings-token')).body.token;
    const foreign = await hub.call('GET', `${clipPath('rec-cam')}&access_token=${otherToken}`, { token: null });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: { code: 'forbidden' } });
    // A live-view token is not a recordings token.
    const viewToken = (await hub.call<{ token: string }>('POST', '/api/v1/cameras/rec-cam/live-token')).body.token;
    expect((await hub.call('GET', `${clipPath('rec-cam')}&access_token=${viewToken}`, { token: null })).status).toBe(403);
    expect((await hub.call('GET', clipPath('rec-cam'), { token: null })).status).toBe(401);
    // The token opens clips, not the rest of the API.
    expect((await hub.call('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0}&to=${T0 + 1}&access_token=${token}`, { token: null })).status).toBe(401);

    const event = { ...makeEvent({ wallTime: T0 + 2000, cameraId: 'rec-cam' }), id: newId() };
    await hub.hub.store.ingest('rec-dev', [event], [], Date.now());
    expect((await hub.call('GET', `/api/v1/events/${event.id}/clip.mp4?access_token=${token}`, { token: null })).status).toBe(200);
    expect((await hub.call('GET', `/api/v1/events/${event.id}/clip.mp4?access_token=${otherToken}`, { token: null })).status).toBe(403);
    expect((await hub.call('GET', `/api/v1/events/${newId()}/clip.mp4?access_token=${token}`, { token: null })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/cameras/nope/recordings-token')).status).toBe(404);
  });

  it('answers the same segment id again with 200, storing nothing new', async () => {
    const before = segmentFiles(hub, 'rec-cam').length;
    const bytesBefore = await hub.metric('sightline_recording_bytes');
    const again = await upload(hub, device, { id: uploaded[1], cameraId: 'rec-cam', startedAt: T0 + 4000, body: segments[1]! });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ stored: false, segment: { id: uploaded[1], startedAt: T0 + 4000 } });
    expect(segmentFiles(hub, 'rec-cam')).toHaveLength(before);
    expect(await hub.metric('sightline_recording_bytes')).toBe(bytesBefore);
    expect(await hub.metric('sightline_recording_segment_duplicates_total')).toBe(1);
    // The same id claimed for another camera is a conflict, not a silent success.
    await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'rec-dev', id: 'rec-cam-b', source: 'lavfi:testsrc' } });
    const conflict = await upload(hub, device, { id: uploaded[1], cameraId: 'rec-cam-b', startedAt: T0, body: segments[1]! });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: { code: 'conflict', field: 'id' } });
  });

  it('refuses foreign and unknown cameras, bad parameters and bodies that are not MP4 segments, with JSON errors', async () => {
    const body = segments[0]!;
    const foreign = await upload(hub, otherDevice, { cameraId: 'rec-cam', startedAt: T0 + 60_000, body });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('another device') } });
    const unknown = await upload(hub, device, { cameraId: 'no-such-cam', startedAt: T0, body });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found', field: 'cameraId' } });

    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000)]);
    const notMp4 = await upload(hub, device, { cameraId: 'rec-cam', startedAt: T0, body: jpeg });
    expect(notMp4.status).toBe(400);
    expect(notMp4.body).toMatchObject({ error: { code: 'invalid_request', message: expect.stringContaining('ftyp') } });
    const tiny = await upload(hub, device, { cameraId: 'rec-cam', startedAt: T0, body: Buffer.from('ftyp') });
    expect(tiny.status).toBe(400);
    const empty = await upload(hub, device, { cameraId: 'rec-cam', startedAt: T0, body: Buffer.alloc(0) });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { code: 'invalid_request', message: expect.stringContaining('empty') } });

    const json = await upload(hub, device, { cameraId: 'rec-cam', startedAt: T0, body: Buffer.from('{}'), contentType: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const octets = await upload(hub, device, { cameraId: 'rec-cam', startedAt: T0, body, contentType: 'application/octet-stream' });
    expect(octets.status).toBe(415);

    const badId = await hub.call('PUT', `/api/v1/recordings/segments/not-a-uuid?cameraId=rec-cam&startedAt=${T0}&durationMs=4000`, {
      token: null,
      headers: { authorization: basic(device), 'content-type': 'video/mp4' },
      rawBody: body,
    });
    expect(badId.body).toMatchObject({ error: { code: 'invalid_request', field: 'id' } });
    for (const [durationMs, field] of [[0, 'durationMs'], [600_001, 'durationMs'], ['abc', 'durationMs']] as const) {
      const r = await upload(hub, device, { cameraId: 'rec-cam', startedAt: T0, durationMs, body });
      expect(r.status, `durationMs=${durationMs}`).toBe(400);
      expect(r.body).toMatchObject({ error: { field } });
    }
    const future = await upload(hub, device, { cameraId: 'rec-cam', startedAt: Date.now() + 2 * 86_400_000, body });
    expect(future.body).toMatchObject({ error: { code: 'invalid_request', field: 'startedAt' } });
    const negative = await upload(hub, device, { cameraId: 'rec-cam', startedAt: -5, body });
    expect(negative.body).toMatchObject({ error: { field: 'startedAt' } });

    // None of it left a file or a row behind.
    expect(segmentFiles(hub, 'rec-cam')).toHaveLength(4);
    expect(segmentFiles(hub, 'no-such-cam')).toHaveLength(0);
    const incoming = join(hub.dataDir, 'recordings', '.incoming');
    expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
    expect(await hub.metric('sightline_recording_uploads_rejected_total', { reason: 'foreign_camera' })).toBe(1);
    expect(await hub.metric('sightline_recording_uploads_rejected_total', { reason: 'not_mp4' })).toBe(2);
  });

  it('leaves nothing behind when an upload is cut off half way', async () => {
    const id = newId();
    const url = new URL(`${hub.hub.url}/api/v1/recordings/segments/${id}?cameraId=rec-cam&startedAt=${T0 + 40_000}&durationMs=4000`);
    const partial = segments[0]!.subarray(0, 50_000);
    const incoming = join(hub.dataDir, 'recordings', '.incoming');
    const parts = () => (existsSync(incoming) ? readdirSync(incoming) : []);
    const req = httpRequest(url, {
      method: 'PUT',
      headers: { authorization: basic(device), 'content-type': 'video/mp4', 'content-length': String(segments[0]!.length) },
    });
    req.on('error', () => undefined);
    req.write(partial);
    // The hub is writing it to a temporary file...
    await waitFor('the upload to be in progress', () => parts().length === 1);
    req.destroy();
    // ...which goes away when the connection does, and nothing else appears.
    await waitFor('the partial upload to be cleaned up', () => parts().length === 0);
    const list = await hub.call<RecordingList>('GET', `/api/v1/cameras/rec-cam/recordings?from=${T0 + 40_000}&to=${T0 + 50_000}`);
    expect(list.body.segments).toEqual([]);
    expect(segmentFiles(hub, 'rec-cam')).toHaveLength(4);
    // The edge retries the same id, whole this time.
    const retry = await upload(hub, device, { id, cameraId: 'rec-cam', startedAt: T0 + 40_000, body: segments[0]! });
    expect(retry.status).toBe(201);
  });

  it("deletes a camera's recordings with the camera", async () => {
    const r = await upload(hub, device, { cameraId: 'doomed-cam', startedAt: T0, body: segments[0]! });
    expect(r.status).toBe(201);
    expect(segmentFiles(hub, 'doomed-cam')).toHaveLength(1);
    expect((await hub.call('DELETE', '/api/v1/cameras/doomed-cam')).status).toBe(204);
    expect(segmentFiles(hub, 'doomed-cam')).toHaveLength(0);
    expect(await hub.hub.store.getRecordingSegment(r.body.segment.id)).toBeUndefined();
    expect(await hub.metric('sightline_recording_segments_deleted_total', { reason: 'camera_removed' })).toBe(1);
  });
});

describe('recordings size budget', () => {
  it('deletes the oldest segments of any camera once the hub is over its budget, and refuses oversized segments', async () => {
    const work = mkdtempSync(join(tmpdir(), 'sightline-rec-budget-'));
    const [segments] = await Promise.all([makeSegments(work, 1, 2)]);
    const body = segments[0]!;
    const hub = await startTestHub({ recordingsMaxBytes: Math.floor(body.length * 3.5), recordingsMaxSegmentBytes: body.length + 1000 });
    try {
      const device = await enrollDevice(hub, 'budget-dev');
      for (const id of ['cam-a', 'cam-b']) await hub.call('POST', '/api/v1/cameras', { body: { deviceId: 'budget-dev', id, source: 'lavfi:testsrc' } });
      // Oldest first across cameras: a0 (t=0), b0 (t=1 s), a1 (t=2 s), then b1 and a2 push the total over.
      const order: [string, number][] = [['cam-a', 0], ['cam-b', 1000], ['cam-a', 2000], ['cam-b', 3000], ['cam-a', 4000]];
      const ids: string[] = [];
      for (const [cameraId, offset] of order) {
        const r = await upload(hub, device, { cameraId, startedAt: T0 + offset, durationMs: 2000, body });
        expect(r.status).toBe(201);
        ids.push(r.body.segment.id);
      }
      await waitFor('the budget to be enforced', async () => (await hub.metric('sightline_recording_bytes')) <= body.length * 3.5, 10_000);
      const kept = async (cameraId: string) =>
        (await hub.call<RecordingList>('GET', `/api/v1/cameras/${cameraId}/recordings?from=${T0}&to=${T0 + 60_000}`)).body.segments.map((s) => s.id);
      expect([...(await kept('cam-a')), ...(await kept('cam-b'))].sort()).toEqual([ids[2], ids[3], ids[4]].sort());
      expect(await hub.metric('sightline_recording_segments_deleted_total', { reason: 'size_budget' })).toBe(2);
      expect(await hub.metric('sightline_recording_bytes')).toBe(body.length * 3);
      expect(segmentFiles(hub, 'cam-a').length + segmentFiles(hub, 'cam-b').length).toBe(3);

      const big = Buffer.concat([body, Buffer.alloc(5000)]);
      const tooBig = await upload(hub, device, { cameraId: 'cam-a', startedAt: T0 + 9000, body: big });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body).toMatchObject({ error: { code: 'payload_too_large' } });
      const incoming = join(hub.dataDir, 'recordings', '.incoming');
      expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
    } finally {
      await hub.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
