import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingSegmentRow, Store } from '../src/store/index.js';
import { createTestDatabase, uuidV7At } from './store-fixtures.js';
import type { BackendName, TestDatabase } from './store-fixtures.js';

const T0 = Date.UTC(2026, 2, 1, 12);

function segment(cameraId: string, startedAt: number, durationMs = 4000, bytes = 1000): RecordingSegmentRow {
  const id = uuidV7At(startedAt);
  return { id, cameraId, deviceId: 'dev-1', startedAt, endedAt: startedAt + durationMs, bytes, fileKey: `${cameraId}/2026-03-01/${id}.mp4`, createdAt: T0 };
}

describe.each<BackendName>(['sqlite', 'postgres'])('recording segments in the store on %s', (backend) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await createTestDatabase(backend);
    store = database.open();
    await store.migrate();
  });

  afterEach(async () => {
    await store?.close();
    await database?.dispose();
  });

  it('inserts a segment once, whatever is sent again under its id', async () => {
    const first = segment('cam-a', T0);
    expect(await store.insertRecordingSegment(first)).toBe(true);
    expect(await store.insertRecordingSegment({ ...first, bytes: 99, startedAt: T0 + 1 })).toBe(false);
    expect(await store.getRecordingSegment(first.id)).toEqual(first);
    expect(await store.getRecordingSegment(uuidV7At(T0 + 5))).toBeUndefined();
    // Unix ms beyond 2^31 and byte counts beyond 2^32 come back as the same numbers.
    const big = { ...segment('cam-a', T0 + 10_000), bytes: 5_000_000_000 };
    await store.insertRecordingSegment(big);
    expect(await store.getRecordingSegment(big.id)).toEqual(big);
    expect(await store.recordingBytes()).toBe(5_000_001_000);
  });

  it('finds the segments overlapping a range, oldest first, counted and as spans', async () => {
    // cam-a: 0–4, 4–8, 8–12 s, then 20–24 s; cam-b: 0–4 s; a long 10-minute segment of cam-c.
    const a = [0, 4000, 8000, 20_000].map((offset) => segment('cam-a', T0 + offset));
    for (const row of [...a].reverse()) await store.insertRecordingSegment(row);
    await store.insertRecordingSegment(segment('cam-b', T0));
    const long = segment('cam-c', T0 - 590_000, 600_000);
    await store.insertRecordingSegment(long);

    const ids = async (from: number, to: number, limit = 100) => (await store.recordingSegmentsBetween('cam-a', from, to, limit)).map((r) => r.id);
    expect(await ids(T0, T0 + 30_000)).toEqual(a.map((r) => r.id));
    // Touching ends do not overlap: [4, 8) and [8, 12) share only the instant 8 s.
    expect(await ids(T0 + 4000, T0 + 8000)).toEqual([a[1]!.id]);
    expect(await ids(T0 + 7999, T0 + 8001)).toEqual([a[1]!.id, a[2]!.id]);
    expect(await ids(T0 + 12_000, T0 + 20_000)).toEqual([]);
    expect(await ids(T0, T0 + 30_000, 2)).toEqual([a[0]!.id, a[1]!.id]);
    expect(await store.countRecordingSegmentsBetween('cam-a', T0, T0 + 30_000)).toBe(4);
    expect(await store.countRecordingSegmentsBetween('cam-a', T0 + 13_000, T0 + 14_000)).toBe(0);
    expect(await store.recordingSpansBetween('cam-a', T0 + 5000, T0 + 21_000)).toEqual([
      { startedAt: T0 + 4000, endedAt: T0 + 8000 },
      { startedAt: T0 + 8000, endedAt: T0 + 12_000 },
      { startedAt: T0 + 20_000, endedAt: T0 + 24_000 },
    ]);
    // A segment as long as the protocol allows is found from its last second.
    expect((await store.recordingSegmentsBetween('cam-c', T0 + 9000, T0 + 9500, 10)).map((r) => r.id)).toEqual([long.id]);
    expect(await store.recordingCameraIds()).toEqual(['cam-a', 'cam-b', 'cam-c']);
  });

  it('lists the oldest segments, by camera and by age, and deletes them', async () => {
    const rows = [segment('cam-a', T0), segment('cam-b', T0 + 1000), segment('cam-a', T0 + 2000, 4000, 500), segment('cam-b', T0 + 3000)];
    for (const row of rows) await store.insertRecordingSegment(row);
    expect((await store.oldestRecordingSegments({ limit: 3 })).map((r) => r.id)).toEqual(rows.slice(0, 3).map((r) => r.id));
    expect((await store.oldestRecordingSegments({ cameraId: 'cam-b', limit: 10 })).map((r) => r.id)).toEqual([rows[1]!.id, rows[3]!.id]);
    // Ended before T0 + 5.5 s: only the first two (which end at 4 and 5 s).
    expect((await store.oldestRecordingSegments({ endedBefore: T0 + 5500, limit: 10 })).map((r) => r.id)).toEqual([rows[0]!.id, rows[1]!.id]);
    expect((await store.oldestRecordingSegments({ cameraId: 'cam-a', endedBefore: T0 + 5500, limit: 10 })).map((r) => r.id)).toEqual([rows[0]!.id]);

    expect(await store.recordingBytes()).toBe(3500);
    expect(await store.deleteRecordingSegments([rows[0]!.id, rows[3]!.id, uuidV7At(1)])).toBe(2);
    expect(await store.deleteRecordingSegments([])).toBe(0);
    expect(await store.recordingBytes()).toBe(1500);
    expect((await store.oldestRecordingSegments({ limit: 10 })).map((r) => r.id)).toEqual([rows[1]!.id, rows[2]!.id]);
    await store.deleteRecordingSegments([rows[1]!.id, rows[2]!.id]);
    expect(await store.recordingBytes()).toBe(0);
    expect(await store.recordingCameraIds()).toEqual([]);
  });
});
