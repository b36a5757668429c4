import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type CameraConfig } from '@sightline/protocol';
import type { Store } from '../src/store/index.js';
import { HubMetrics } from '../src/metrics.js';
import { RecordingService } from '../src/recordings/recording-service.js';
import { RecordingRetention } from '../src/recordings/recording-retention.js';
import { createTestDatabase, newDevice } from './store-fixtures.js';
import type { BackendName, TestDatabase } from './store-fixtures.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15, 12);

/** Bytes that pass the hub's MP4 check: an ftyp box, then padding (retention never looks inside). */
function fakeSegment(bytes: number): Buffer {
  const body = Buffer.alloc(bytes);
  body.writeUInt32BE(24, 0);
  body.write('ftypiso5', 4, 'latin1');
  return body;
}

function camera(id: string, retainDays?: number): CameraConfig {
  return {
    id,
    source: 'lavfi:testsrc',
    model: 'yolox-nano',
    fps: 5,
    enabled: true,
    analytics: { zones: [], lines: [] },
    ...(retainDays === undefined ? {} : { recording: { mode: 'continuous', preRollSeconds: 5, postRollSeconds: 10, retainDays } }),
  };
}

describe.each<BackendName>(['sqlite', 'postgres'])('recording retention on %s', (backend) => {
  let database: TestDatabase;
  let store: Store;
  let dir: string;
  let metrics: HubMetrics;
  let recordings: RecordingService;

  beforeEach(async () => {
    database = await createTestDatabase(backend);
    store = database.open();
    await store.migrate();
    dir = mkdtempSync(join(tmpdir(), 'sightline-rec-retention-'));
    metrics = new HubMetrics();
    recordings = new RecordingService({ store, metrics, log: pino({ level: 'silent' }), dir: join(dir, 'recordings') });
    await recordings.start();
    await store.createDevice(newDevice('dev-1'));
  });

  afterEach(async () => {
    recordings?.stop();
    await store?.close();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const store1 = async (cameraId: string, startedAt: number, bytes = 1000) => {
    const result = await recordings.upload('dev-1', { id: newId(), cameraId, startedAt, durationMs: 4000 }, Readable.from([fakeSegment(bytes)]), NOW);
    return { ...result.segment, path: recordings.files.pathOf(recordings.files.keyFor(cameraId, result.segment.id, startedAt)) };
  };
  const deleted = async (reason: string) => (await metrics.registry.getSingleMetric('sightline_recording_segments_deleted_total')!.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  it("deletes each camera's segments older than its retainDays, files included, and keeps the rest", async () => {
    await store.createCamera({ id: 'short', deviceId: 'dev-1', config: camera('short', 1), createdAt: NOW, updatedAt: NOW });
    await store.createCamera({ id: 'long', deviceId: 'dev-1', config: camera('long', 10), createdAt: NOW, updatedAt: NOW });
    // No recording config: the protocol's default retention (7 days).
    await store.createCamera({ id: 'plain', deviceId: 'dev-1', config: camera('plain'), createdAt: NOW, updatedAt: NOW });
    const shortOld = await store1('short', NOW - 2 * DAY);
    const shortNew = await store1('short', NOW - 0.5 * DAY);
    const longOld = await store1('long', NOW - 2 * DAY);
    const plainOld = await store1('plain', NOW - 8 * DAY);
    const plainNew = await store1('plain', NOW - 6 * DAY);

    const retention = new RecordingRetention({ store, recordings, log: pino({ level: 'silent' }) });
    expect(await retention.runOnce(NOW)).toEqual({ expired: 2, overBudget: 0, orphaned: 0 });

    for (const gone of [shortOld, plainOld]) {
      expect(await store.getRecordingSegment(gone.id)).toBeUndefined();
      expect(existsSync(gone.path)).toBe(false);
    }
    for (const kept of [shortNew, longOld, plainNew]) {
      expect(await store.getRecordingSegment(kept.id)).toBeDefined();
      expect(existsSync(kept.path)).toBe(true);
    }
    expect(await deleted('retain_days')).toBe(2);
    expect(await store.recordingBytes()).toBe(3000);
    expect((await metrics.recordingBytes.get()).values[0]?.value).toBe(3000);
    // Nothing more to do on a second run.
    expect(await retention.runOnce(NOW)).toEqual({ expired: 0, overBudget: 0, orphaned: 0 });
  });

  it('deletes the oldest segments first, of any camera, until the total fits the budget', async () => {
    for (const id of ['cam-a', 'cam-b']) await store.createCamera({ id, deviceId: 'dev-1', config: camera(id, 30), createdAt: NOW, updatedAt: NOW });
    const rows = [];
    // Interleaved in time across the cameras, stored out of order.
    for (const [cameraId, ageMin] of [['cam-b', 40], ['cam-a', 50], ['cam-a', 10], ['cam-b', 20], ['cam-a', 30]] as const) {
      rows.push(await store1(cameraId, NOW - ageMin * 60_000, 1000));
    }
    const retention = new RecordingRetention({ store, recordings, log: pino({ level: 'silent' }), maxBytes: 2500 });
    expect(await retention.runOnce(NOW)).toEqual({ expired: 0, overBudget: 3, orphaned: 0 });
    const left = (await store.oldestRecordingSegments({ limit: 10 })).map((r) => r.id);
    // Kept: the two newest (10 and 20 minutes old).
    expect(left).toEqual([rows[3]!.id, rows[2]!.id]);
    for (const row of [rows[0]!, rows[1]!, rows[4]!]) expect(existsSync(row.path)).toBe(false);
    expect(await deleted('size_budget')).toBe(3);
  });

  it('deletes the segments of cameras that no longer exist', async () => {
    await store.createCamera({ id: 'gone', deviceId: 'dev-1', config: camera('gone', 30), createdAt: NOW, updatedAt: NOW });
    const orphan = await store1('gone', NOW - 60_000);
    // The camera is deleted without the hub's fleet (which would delete its recordings at once).
    await store.deleteCamera('gone');
    const retention = new RecordingRetention({ store, recordings, log: pino({ level: 'silent' }) });
    expect(await retention.runOnce(NOW)).toEqual({ expired: 0, overBudget: 0, orphaned: 1 });
    expect(existsSync(orphan.path)).toBe(false);
    expect(await deleted('camera_removed')).toBe(1);
  });
});
