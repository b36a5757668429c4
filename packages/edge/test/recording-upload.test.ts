import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@sightline/hub';
import { newId, type RecordingConfig, type RecordingList } from '@sightline/protocol';
import { CameraRecording, RecordingUploader } from '../src/recording/index.js';
import { LavfiTap } from './recording-support.js';

const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Bytes that pass the hub's MP4 check (an ftyp box, then padding). */
function fakeSegment(bytes: number): Buffer {
  const body = Buffer.alloc(bytes);
  body.writeUInt32BE(24, 0);
  body.write('ftypiso5', 4, 'latin1');
  return body;
}

/**
 * A real hub on 127.0.0.1 (SQLite in a temp dir) with one enrolled device and its cameras; it can be stopped and
 * started again on the same port and data, as a hub that goes away for a while.
 */
class HubFixture {
  hub: Hub | undefined;
  port = 0;
  adminKey = '';
  password = '';
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sightline-edge-rec-hub-'));

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.hub = await startHub({ dataDir: this.dataDir, host: '127.0.0.1', port: this.port, mqttPort: 0, mqttWsPort: null, logLevel: 'silent' });
    this.port = Number(new URL(this.hub.url).port);
  }

  async stop(): Promise<void> {
    await this.hub?.close();
    this.hub = undefined;
  }

  async call<T>(method: string, path: string, body?: unknown, token: string | null = this.adminKey): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  }

  async bootstrap(deviceId: string, cameras: Record<string, RecordingConfig>): Promise<void> {
    const setup = await this.call<{ apiKey: { key: string } }>('POST', '/api/v1/setup', { username: 'admin', password: 'a long password' }, null);
    this.adminKey = setup.body.apiKey.key;
    const device = await this.call<{ enrollment: { token: string } }>('POST', '/api/v1/devices', { id: deviceId });
    const enrolled = await this.call<{ mqtt: { password: string } }>('POST', '/api/v1/enroll', { token: device.body.enrollment.token }, null);
    this.password = enrolled.body.mqtt.password;
    for (const [id, recording] of Object.entries(cameras)) {
      const created = await this.call('POST', '/api/v1/cameras', { deviceId, id, source: 'lavfi:testsrc', recording });
      expect(created.status).toBe(201);
    }
  }

  async recordings(cameraId: string, from: number, to: number): Promise<RecordingList> {
    const list = await this.call<RecordingList>('GET', `/api/v1/cameras/${cameraId}/recordings?from=${from}&to=${to}`);
    expect(list.status).toBe(200);
    return list.body;
  }
}

const DEVICE = 'edge-rec';
const CONTINUOUS: RecordingConfig = { mode: 'continuous', preRollSeconds: 2, postRollSeconds: 2, retainDays: 7 };
const EVENTS: RecordingConfig = { mode: 'events', preRollSeconds: 2, postRollSeconds: 2, retainDays: 7 };

describe('edge recordings against a real hub', () => {
  const hub = new HubFixture();
  let tap: LavfiTap;
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-edge-rec-'));
    dirs.push(dir);
    return dir;
  };
  const uploaderIn = (dir: string, options: { url?: string; budgetBytes?: number } = {}) =>
    new RecordingUploader({
      hub: { url: options.url ?? hub.url, deviceId: DEVICE, password: hub.password },
      dir,
      log: silent,
      budgetBytes: options.budgetBytes,
      retryBackoff: { initialDelayMs: 200, maxDelayMs: 800 },
      requestTimeoutMs: 5000,
    });

  beforeAll(async () => {
    tap = new LavfiTap({ fps: 15, gop: 15 });
    await hub.start();
    await hub.bootstrap(DEVICE, { 'cam-cont': CONTINUOUS, 'cam-ev': EVENTS });
    await tap.ready();
  });
  afterAll(async () => {
    tap?.stop();
    await hub.stop();
    rmSync(hub.dataDir, { recursive: true, force: true });
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('continuous: keeps segments while the hub is down, retries, and loses none once it is back', async () => {
    const dir = newDir();
    await hub.stop();
    const uploader = uploaderIn(dir);
    uploader.start();
    const recording = new CameraRecording({ cameraId: 'cam-cont', config: CONTINUOUS, tap, dir: join(dir, 'cam-cont'), uploader, log: silent, segmentSeconds: 2 });
    const from = Date.now() - 2000;
    recording.start();
    await waitFor('segments waiting for the hub', () => uploader.stats.pending >= 3, 30_000);
    expect(uploader.stats.lastError).toMatch(/upload failed/);
    expect(uploader.stats.uploaded).toBe(0);

    await hub.start();
    await sleep(2500);
    await recording.stop();
    await waitFor('every segment uploaded', () => uploader.stats.pending === 0, 20_000);
    const produced = recording.stats.segments;
    expect(produced).toBeGreaterThanOrEqual(4);
    expect(uploader.stats).toMatchObject({ uploaded: produced, dropped: 0, refused: 0, pending: 0, buffered: 0, lastError: undefined });
    await uploader.stop();

    const list = await hub.recordings('cam-cont', from, Date.now());
    expect(list.segments).toHaveLength(produced);
    // One continuous stretch: nothing was lost while the hub was away.
    expect(list.ranges).toHaveLength(1);
    const recorded = list.ranges[0]!;
    // Segment times come from the wall clock at which pictures arrive, so on a busy machine neighbours may overlap by
    // a frame or so; they never leave a gap (one range above).
    const summed = list.segments.reduce((sum, s) => sum + (s.endedAt - s.startedAt), 0);
    expect(Math.abs(recorded.to - recorded.from - summed)).toBeLessThanOrEqual(100 * list.segments.length);
    // Uploaded files are gone from the edge.
    expect(readdirSync(join(dir, 'cam-cont'))).toEqual([]);
  });

  it('events: uploads only the segments around an event and deletes the others', async () => {
    const dir = newDir();
    const uploader = uploaderIn(dir);
    uploader.start();
    const recording = new CameraRecording({
      cameraId: 'cam-ev',
      config: EVENTS,
      tap,
      dir: join(dir, 'cam-ev'),
      uploader,
      log: silent,
      segmentSeconds: 2,
      eventLatencyMs: 500,
    });
    const from = Date.now() - 2000;
    recording.start();
    // Some segments before the event: kept only for the pre-roll, then deleted.
    await waitFor('segments before the event', () => recording.stats.segments >= 4, 30_000);
    expect(uploader.stats.uploaded).toBe(0);
    const eventAt = Date.now() - 500;
    recording.markEvent(eventAt);
    // Past the post-roll, and a few segments more that nobody wants.
    await sleep(2000);
    const settled = recording.stats.segments;
    await waitFor('segments after the window', () => recording.stats.segments >= settled + 3, 30_000);
    await recording.stop();
    await waitFor('the window uploaded', () => uploader.stats.pending === 0, 20_000);

    const stats = recording.stats;
    expect(stats.queued).toBeGreaterThanOrEqual(2);
    expect(stats.queued).toBeLessThan(stats.segments);
    expect(stats.discarded).toBe(stats.segments - stats.queued);
    expect(uploader.stats.uploaded).toBe(stats.queued);
    expect(uploader.segmentsOf('cam-ev')).toEqual([]);
    expect(readdirSync(join(dir, 'cam-ev'))).toEqual([]);

    const list = await hub.recordings('cam-ev', from, Date.now());
    expect(list.segments).toHaveLength(stats.queued);
    const [windowFrom, windowTo] = [eventAt - 2000, eventAt + 2000];
    for (const s of list.segments) {
      expect(s.startedAt < windowTo && s.endedAt > windowFrom, `segment ${s.startedAt}–${s.endedAt} overlaps the event window`).toBe(true);
    }
    // The window is covered without a hole.
    expect(list.ranges).toHaveLength(1);
    expect(list.ranges[0]!.from).toBeLessThanOrEqual(windowFrom);
    expect(list.ranges[0]!.to).toBeGreaterThanOrEqual(windowTo);
    await uploader.stop();
  });

  it('drops the oldest segments over the disk budget, counts them, and sends the rest after a restart', async () => {
    const dir = newDir();
    const files = join(dir, 'cam-cont');
    mkdirSync(files, { recursive: true });
    // Nobody listens there: every upload fails and the segments pile up.
    const down = uploaderIn(dir, { url: 'http://127.0.0.1:9', budgetBytes: 3500 });
    down.start();
    const base = Date.now() - 60_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = newId();
      const path = join(files, `fake-${i}.mp4`);
      writeFileSync(path, fakeSegment(1000));
      down.add({ id, cameraId: 'cam-cont', path, startedAt: base + i * 2000, durationMs: 2000, bytes: 1000 }, 'pending');
      ids.push(id);
    }
    expect(down.stats).toMatchObject({ pending: 3, dropped: 2, droppedBytes: 2000, bytes: 3000 });
    expect(down.dropped).toBe(2);
    expect(existsSync(join(files, 'fake-0.mp4'))).toBe(false);
    expect(existsSync(join(files, 'fake-1.mp4'))).toBe(false);
    expect(down.segmentsOf('cam-cont').map((s) => s.id)).toEqual(ids.slice(2));
    await waitFor('a failed attempt', () => down.stats.lastError, 10_000);
    await down.stop();

    // The edge restarts with the hub reachable: what was kept goes out, and the drop count is remembered.
    const up = uploaderIn(dir, { budgetBytes: 3500 });
    up.start();
    await waitFor('the kept segments uploaded', () => up.stats.pending === 0, 20_000);
    expect(up.stats).toMatchObject({ uploaded: 3, dropped: 2, refused: 0 });
    expect(readdirSync(files)).toEqual([]);
    const list = await hub.recordings('cam-cont', base, base + 10_000);
    expect(list.segments.map((s) => s.id)).toEqual(ids.slice(2));
    await up.stop();
  });

  it('gives up on a segment the hub refuses for good (an unknown camera) instead of retrying it', async () => {
    const dir = newDir();
    const uploader = uploaderIn(dir);
    uploader.start();
    const path = join(dir, 'x.mp4');
    writeFileSync(path, fakeSegment(500));
    uploader.add({ id: newId(), cameraId: 'no-such-camera', path, startedAt: Date.now() - 5000, durationMs: 2000, bytes: 500 }, 'pending');
    await waitFor('the refusal', () => uploader.stats.refused === 1, 10_000);
    expect(uploader.stats).toMatchObject({ pending: 0, uploaded: 0 });
    expect(existsSync(path)).toBe(false);
    await uploader.stop();
  });
});
