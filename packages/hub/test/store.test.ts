import type { CameraConfig, SightlineEvent } from '@sightline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaTooNewError, StoreConflictError, StoreNotFoundError } from '../src/store/index.js';
import type { CountBucket, CountQuery, CountRow, EventQuery, Store } from '../src/store/index.js';
import { createTestDatabase, makeEvent, mixedEvents, newDevice, snapshotFor } from './store-fixtures.js';
import type { BackendName, TestDatabase } from './store-fixtures.js';
import { knownMigrations } from '../src/store/migrations.js';

const START = Date.UTC(2026, 0, 1); // midnight UTC, so day buckets start on it
const BUCKET_MS: Record<CountBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function cameraConfig(id: string, source = 'lavfi:testsrc'): CameraConfig {
  return { id, source, model: 'yolox-nano', fps: 5, enabled: true, analytics: { zones: [], lines: [] } };
}

async function ingestMixed(store: Store, count: number) {
  const rows = mixedEvents(count, START);
  for (const deviceId of ['dev-1', 'dev-2']) {
    const events = rows.filter((row) => row.deviceId === deviceId).map((row) => row.event);
    await store.ingest(deviceId, events, [], START + 1);
  }
  return rows;
}

/** Walks every page of a query; the concatenation must be the whole result, newest first. */
async function allPages(store: Store, query: Omit<EventQuery, 'cursor'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await store.queryEvents({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    pages++;
    expect(page.events.length).toBeLessThanOrEqual(query.limit);
    ids.push(...page.events.map((row) => row.event.id));
    if (page.nextCursor === null) break;
    expect(page.nextCursor).toBe(page.events[page.events.length - 1]?.event.id);
    cursor = page.nextCursor;
    if (pages > 10_000) throw new Error('pagination does not end');
  }
  return { ids, pages };
}

function expectedCounts(events: SightlineEvent[], query: CountQuery): CountRow[] {
  const groups = new Map<string, CountRow>();
  for (const e of events) {
    if (e.wallTime < query.from || e.wallTime >= query.to) continue;
    const zoneId = 'zoneId' in e ? e.zoneId : null;
    const lineId = 'lineId' in e ? e.lineId : null;
    if (query.cameraId !== undefined && e.cameraId !== query.cameraId) continue;
    if (query.zoneId !== undefined && zoneId !== query.zoneId) continue;
    if (query.lineId !== undefined && lineId !== query.lineId) continue;
    if (query.label !== undefined && e.label !== query.label) continue;
    if (query.type !== undefined && e.type !== query.type) continue;
    const row: CountRow = {
      bucketStart: Math.floor(e.wallTime / BUCKET_MS[query.bucket]) * BUCKET_MS[query.bucket],
      cameraId: e.cameraId,
      type: e.type,
      zoneId,
      lineId,
      direction: 'direction' in e ? e.direction : null,
      label: e.label,
      count: 0,
    };
    const key = JSON.stringify({ ...row, count: 0 });
    const group = groups.get(key) ?? row;
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()];
}

const sortCounts = (rows: CountRow[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe.each<BackendName>(['sqlite', 'postgres'])('store on %s', (backend) => {
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

  it('migrates idempotently and refuses a database migrated by a newer hub', async () => {
    expect(store.backend).toBe(backend);
    await store.migrate(); // nothing pending: a no-op
    await store.createDevice(newDevice('dev-1'));
    await store.close();

    await database.exec(
      "INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2099-01-01T00:00:00.000Z')",
    );
    store = database.open();
    const error = await store.migrate().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as SchemaTooNewError).databaseVersion).toBe('9999_from_the_future');
    // The newest migration this binary knows (every new migration would otherwise have to edit this line).
    expect((error as SchemaTooNewError).binaryVersion).toBe(Object.keys(knownMigrations(backend)).sort().at(-1));
    expect((error as Error).message).toMatch(/newer than this hub/);
    // Refusing touched nothing.
    expect((await store.getDevice('dev-1'))?.id).toBe('dev-1');
  });

  it('stores users and API keys', async () => {
    expect(await store.countUsers()).toBe(0);
    const admin = { id: 'u1', username: 'admin', passwordHash: 'scrypt$a$b', role: 'admin' as const, createdAt: 1000 };
    await store.createUser(admin);
    await store.createUser({ id: 'u2', username: 'viewer', passwordHash: 'scrypt$c$d', role: 'viewer', createdAt: 2000 });
    expect(await store.countUsers()).toBe(2);
    expect(await store.getUserByName('admin')).toEqual(admin);
    expect(await store.getUserByName('nobody')).toBeUndefined();
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['admin', 'viewer']);
    const duplicate = await store.createUser({ ...admin, id: 'u3' }).catch((err: unknown) => err);
    expect(duplicate).toBeInstanceOf(StoreConflictError);
    expect((duplicate as StoreConflictError).code).toBe('conflict');

    const key = {
      id: 'k1',
      name: 'ci',
      scope: 'operate' as const,
      secretHash: 'ab'.repeat(32),
      userId: 'u1',
      createdAt: 3000,
      expiresAt: 9_000_000_000_000,
      revokedAt: null,
      lastUsedAt: null,
    };
    await store.createApiKey(key);
    await store.createApiKey({ ...key, id: 'k2', name: 'unowned', userId: null, expiresAt: null, createdAt: 4000 });
    expect(await store.getApiKey('k1')).toEqual(key);
    await expect(store.createApiKey(key)).rejects.toBeInstanceOf(StoreConflictError);
    await store.touchApiKey('k1', 5000);
    expect((await store.getApiKey('k1'))?.lastUsedAt).toBe(5000);
    expect(await store.revokeApiKey('k1', 6000)).toBe(true);
    expect(await store.revokeApiKey('k1', 7000)).toBe(true); // still exists; keeps the first revocation time
    expect(await store.revokeApiKey('missing', 6000)).toBe(false);
    const keys = await store.listApiKeys();
    expect(keys.map((k) => [k.id, k.revokedAt])).toEqual([
      ['k1', 6000],
      ['k2', null],
    ]);
    expect(keys[1]).toEqual({ ...key, id: 'k2', name: 'unowned', userId: null, expiresAt: null, createdAt: 4000 });
  });

  it('stores devices and applies partial updates', async () => {
    const device = newDevice('dev-1', { enrollmentTokenHash: 'aa', enrollmentExpiresAt: 5000 });
    await store.createDevice(device);
    await store.createDevice(newDevice('dev-0'));
    expect(await store.getDevice('dev-1')).toEqual(device);
    await expect(store.createDevice(device)).rejects.toMatchObject({ code: 'conflict' });

    const heartbeat = {
      deviceId: 'dev-1',
      ts: 1234,
      version: '0.1.0',
      configVersion: 2,
      cpuPercent: 12.5,
      memoryBytes: 1 << 20,
      cameras: [{ cameraId: 'cam-a', state: 'running' as const, fps: 5, droppedFrames: 0, inferenceMs: 13.5 }],
      outbox: { pending: 3, bytes: 900, dropped: 7 },
    };
    await store.updateDevice('dev-1', {
      online: true,
      lastSeenAt: 1234,
      lastHeartbeat: heartbeat,
      appliedVersion: 2,
      appliedOk: false,
      appliedErrors: [{ cameraId: 'cam-a', path: 'source', message: 'unreachable' }],
      outboxDropped: 7,
      mqttPasswordHash: 'scrypt$x$y',
    });
    await store.updateDevice('dev-1', {}); // nothing to change
    await store.updateDevice('missing', { online: true }); // no such device: nothing happens
    const updated = await store.getDevice('dev-1');
    expect(updated).toEqual({
      ...device,
      online: true,
      lastSeenAt: 1234,
      lastHeartbeat: heartbeat,
      appliedVersion: 2,
      appliedOk: false,
      appliedErrors: [{ cameraId: 'cam-a', path: 'source', message: 'unreachable' }],
      outboxDropped: 7,
      mqttPasswordHash: 'scrypt$x$y',
    });
    await store.updateDevice('dev-1', { online: false, appliedOk: null, lastHeartbeat: null, name: null });
    expect(await store.getDevice('dev-1')).toMatchObject({ online: false, appliedOk: null, lastHeartbeat: null, name: null });
    expect((await store.listDevices()).map((d) => d.id)).toEqual(['dev-0', 'dev-1']);
    expect(await store.getDevice('missing')).toBeUndefined();
  });

  it('consumes an enrollment token once, even when two enrollments race', async () => {
    await store.createDevice(newDevice('dev-1', { enrollmentTokenHash: 'token-1', enrollmentExpiresAt: 10_000 }));
    await store.createDevice(newDevice('dev-2', { enrollmentTokenHash: 'token-2', enrollmentExpiresAt: 10_000 }));

    expect(await store.consumeEnrollmentToken('token-2', 10_000)).toBeUndefined(); // expired at 10 000
    expect(await store.consumeEnrollmentToken('unknown', 0)).toBeUndefined();

    const results = await Promise.all([
      store.consumeEnrollmentToken('token-1', 9_000),
      store.consumeEnrollmentToken('token-1', 9_001),
      store.consumeEnrollmentToken('token-1', 9_002),
    ]);
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: 'dev-1', enrollmentTokenHash: null, enrollmentExpiresAt: null });
    expect(winners[0]?.enrolledAt).toBeGreaterThanOrEqual(9_000);
    expect(await store.getDevice('dev-1')).toMatchObject({ enrollmentTokenHash: null, enrolledAt: winners[0]?.enrolledAt });
    expect(await store.consumeEnrollmentToken('token-1', 9_500)).toBeUndefined();
  });

  it('bumps the device config version with every camera change', async () => {
    await store.createDevice(newDevice('dev-1'));
    await store.createDevice(newDevice('dev-2'));
    const camera = { id: 'cam-a', deviceId: 'dev-1', config: cameraConfig('cam-a'), createdAt: 100, updatedAt: 100 };
    expect(await store.createCamera(camera)).toBe(1);
    expect(await store.createCamera({ ...camera, id: 'cam-b', config: cameraConfig('cam-b') })).toBe(2);
    expect(await store.createCamera({ ...camera, id: 'cam-c', deviceId: 'dev-2', config: cameraConfig('cam-c') })).toBe(1);
    expect(await store.getCamera('cam-a')).toEqual(camera);

    const exists = await store.createCamera({ ...camera, deviceId: 'dev-2' }).catch((err: unknown) => err);
    expect(exists).toBeInstanceOf(StoreConflictError);
    expect((exists as Error).message).toMatch(/cam-a.*already exists/);
    const orphan = await store.createCamera({ ...camera, id: 'cam-x', deviceId: 'nope' }).catch((err: unknown) => err);
    expect(orphan).toBeInstanceOf(StoreNotFoundError);
    expect((orphan as StoreNotFoundError).code).toBe('not_found');
    expect((orphan as Error).message).toMatch(/device "nope" does not exist/);
    // A failed create leaves the version where it was (the bump rolled back with it).
    expect((await store.getDevice('dev-2'))?.configVersion).toBe(1);

    const changed = cameraConfig('cam-a', 'rtsp://10.0.0.5/stream');
    expect(await store.updateCamera('cam-a', changed, 200)).toBe(3);
    expect(await store.getCamera('cam-a')).toEqual({ ...camera, config: changed, updatedAt: 200 });
    expect(await store.updateCamera('missing', changed, 200)).toBeUndefined();
    expect(await store.deleteCamera('cam-b')).toBe(4);
    expect(await store.deleteCamera('cam-b')).toBeUndefined();
    expect((await store.getDevice('dev-1'))?.configVersion).toBe(4);
    expect((await store.listCameras()).map((c) => c.id)).toEqual(['cam-a', 'cam-c']);
    expect((await store.listCameras('dev-2')).map((c) => c.id)).toEqual(['cam-c']);

    // Deleting a device takes its cameras but leaves its events.
    await store.ingest('dev-1', [makeEvent({ wallTime: START, cameraId: 'cam-a' })], [], START);
    expect(await store.deleteDevice('dev-1')).toBe(true);
    expect(await store.deleteDevice('dev-1')).toBe(false);
    expect(await store.getCamera('cam-a')).toBeUndefined();
    expect((await store.listCameras()).map((c) => c.id)).toEqual(['cam-c']);
    expect(await store.countEvents()).toBe(1);
  });

  it('ingests idempotently, with snapshot refs in the same transaction', async () => {
    const events = Array.from({ length: 50 }, (_, i) => makeEvent({ wallTime: START + i * 1000, trackId: i + 1 }));
    const snapshots = [snapshotFor(events[0]!.id, 'crop'), snapshotFor(events[0]!.id, 'frame'), snapshotFor(events[1]!.id, 'crop')];
    const first = await store.ingest('dev-1', events, snapshots, START + 99);
    expect(first).toEqual({ inserted: 50, duplicates: 0, insertedIds: events.map((e) => e.id) });

    // A redelivery, now with one more snapshot for a known event, one for an unknown event, and one new event.
    const extra = makeEvent({ wallTime: START + 60_000 });
    const again = await store.ingest(
      'dev-1',
      [...events, extra, extra],
      [...snapshots, snapshotFor(events[2]!.id, 'frame'), snapshotFor('01890000-0000-7000-8000-000000000000', 'crop')],
      START + 100,
    );
    expect(again).toEqual({ inserted: 1, duplicates: 51, insertedIds: [extra.id] });
    expect(await store.countEvents()).toBe(51);
    expect(await store.ingest('dev-1', [], [], START)).toEqual({ inserted: 0, duplicates: 0, insertedIds: [] });

    const stored = await store.getEvent(events[0]!.id);
    expect(stored).toEqual({
      event: events[0],
      deviceId: 'dev-1',
      ingestedAt: START + 99, // the first delivery's
      snapshots: [
        { kind: 'crop', blobKey: `${events[0]!.id}/crop.jpg`, width: 96, height: 128, bytes: 4321 },
        { kind: 'frame', blobKey: `${events[0]!.id}/frame.jpg`, width: 640, height: 360, bytes: 4321 },
      ],
    });
    expect(await store.getSnapshot(events[2]!.id, 'frame')).toMatchObject({ blobKey: `${events[2]!.id}/frame.jpg` });
    expect(await store.getSnapshot(events[2]!.id, 'crop')).toBeUndefined();
    expect(await store.getSnapshot('01890000-0000-7000-8000-000000000000', 'crop')).toBeUndefined();
    expect(await store.getEvent('01890000-0000-7000-8000-000000000000')).toBeUndefined();

    // Every event type comes back exactly as sent.
    const kinds = (['enter', 'exit', 'loiter', 'in', 'out'] as const).map((kind, i) => makeEvent({ wallTime: START + 5_000_000 + i, kind }));
    await store.ingest('dev-1', kinds, [], START);
    for (const e of kinds) expect((await store.getEvent(e.id))?.event).toEqual(e);
  });

  it('takes concurrent overlapping batches and camera changes without losing or doubling anything', async () => {
    await store.createDevice(newDevice('dev-1'));
    const events = Array.from({ length: 400 }, (_, i) => makeEvent({ wallTime: START + i }));
    const reversed = [...events].reverse();
    const batches = [events.slice(0, 300), reversed.slice(0, 300), events.slice(100), reversed];
    const cameraChanges = Array.from({ length: 5 }, (_, i) =>
      store.createCamera({ id: `cam-${i}`, deviceId: 'dev-1', config: cameraConfig(`cam-${i}`), createdAt: i, updatedAt: i }),
    );
    const [results, versions] = await Promise.all([
      Promise.all(batches.map((batch) => store.ingest('dev-1', batch, [], START))),
      Promise.all(cameraChanges),
    ]);
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(400);
    expect(new Set(results.flatMap((r) => r.insertedIds)).size).toBe(400);
    results.forEach((r, i) => expect(r.inserted + r.duplicates).toBe(batches[i]!.length));
    expect(await store.countEvents()).toBe(400);
    expect(versions.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('ingests a batch of 5000 events in one call', async () => {
    const events = Array.from({ length: 5000 }, (_, i) => makeEvent({ wallTime: START + i * 10, trackId: (i % 50) + 1 }));
    const snapshots = events.slice(0, 200).map((e) => snapshotFor(e.id, 'crop'));
    const result = await store.ingest('dev-1', events, snapshots, START);
    expect(result.inserted).toBe(5000);
    expect(result.duplicates).toBe(0);
    expect(result.insertedIds).toEqual(events.map((e) => e.id));
    expect(await store.countEvents()).toBe(5000);
    expect(await store.getSnapshot(events[199]!.id, 'crop')).toBeDefined();
  });

  it('filters events and pages through them newest first without gaps or repeats', async () => {
    const rows = await ingestMixed(store, 600);
    const withSnapshot = rows[10]!.event;
    await store.ingest(rows[10]!.deviceId, [withSnapshot], [snapshotFor(withSnapshot.id, 'crop')], START);

    const filters: { query: Omit<EventQuery, 'cursor' | 'limit'>; keep: (row: (typeof rows)[number]) => boolean }[] = [
      { query: {}, keep: () => true },
      { query: { cameraId: 'cam-b' }, keep: (r) => r.event.cameraId === 'cam-b' },
      { query: { deviceId: 'dev-2' }, keep: (r) => r.deviceId === 'dev-2' },
      { query: { type: 'zone.exit' }, keep: (r) => r.event.type === 'zone.exit' },
      { query: { label: 'car' }, keep: (r) => r.event.label === 'car' },
      { query: { zoneId: 'lobby' }, keep: (r) => 'zoneId' in r.event && r.event.zoneId === 'lobby' },
      { query: { lineId: 'gate' }, keep: (r) => 'lineId' in r.event && r.event.lineId === 'gate' },
      { query: { trackId: 3 }, keep: (r) => r.event.trackId === 3 },
      { query: { from: START + 86_400_000 }, keep: (r) => r.event.wallTime >= START + 86_400_000 },
      { query: { to: START + 86_400_000 }, keep: (r) => r.event.wallTime < START + 86_400_000 },
      {
        query: { cameraId: 'cam-a', label: 'person', from: START + 3_600_000, to: START + 2 * 86_400_000 },
        keep: (r) =>
          r.event.cameraId === 'cam-a' &&
          r.event.label === 'person' &&
          r.event.wallTime >= START + 3_600_000 &&
          r.event.wallTime < START + 2 * 86_400_000,
      },
      { query: { cameraId: 'cam-z' }, keep: () => false },
    ];
    for (const { query, keep } of filters) {
      const expected = rows
        .filter(keep)
        .map((r) => r.event.id)
        .sort()
        .reverse();
      expect(expected.length === 0 || expected.length > 25, 'each filter spans several pages').toBe(true);
      const { ids, pages } = await allPages(store, { ...query, limit: 25 });
      expect(ids, JSON.stringify(query)).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 25)));
    }

    const page = await store.queryEvents({ cameraId: withSnapshot.cameraId, limit: 1000 });
    expect(page.nextCursor).toBeNull();
    const found = page.events.find((row) => row.event.id === withSnapshot.id);
    expect(found?.snapshots.map((s) => s.kind)).toEqual(['crop']);
    expect(found?.deviceId).toBe(rows[10]!.deviceId);
    expect(page.events.filter((row) => row.event.id !== withSnapshot.id).every((row) => row.snapshots.length === 0)).toBe(true);
    // An exact page boundary: the last page is full and the cursor before it says there is no more.
    const exact = await store.queryEvents({ limit: 600 });
    expect(exact.events).toHaveLength(600);
    expect(exact.nextCursor).toBeNull();
    await expect(store.queryEvents({ limit: 0 })).rejects.toThrow(/limit/);
  });

  it('counts events per minute, hour and day bucket', async () => {
    const rows = await ingestMixed(store, 600);
    // A burst inside one minute so minute buckets hold more than one event per group.
    const burst = Array.from({ length: 20 }, (_, i) => makeEvent({ wallTime: START + 7_200_000 + i * 2000, kind: 'in' }));
    await store.ingest('dev-1', burst, [], START);
    const events = [...rows.map((r) => r.event), ...burst];

    const queries: CountQuery[] = [];
    for (const bucket of ['minute', 'hour', 'day'] as const) {
      queries.push({ from: START, to: START + 3 * 86_400_000, bucket });
      queries.push({ from: START + 3_600_000, to: START + 2 * 86_400_000 + 1, bucket, cameraId: 'cam-a' });
    }
    queries.push({ from: START, to: START + 4 * 86_400_000, bucket: 'hour', zoneId: 'door' });
    queries.push({ from: START, to: START + 4 * 86_400_000, bucket: 'hour', lineId: 'gate', label: 'person' });
    queries.push({ from: START, to: START + 4 * 86_400_000, bucket: 'day', type: 'line.cross' });
    for (const query of queries) {
      const counts = await store.counts(query);
      expect(sortCounts(counts), JSON.stringify(query)).toEqual(sortCounts(expectedCounts(events, query)));
      for (let i = 1; i < counts.length; i++) expect(counts[i]!.bucketStart).toBeGreaterThanOrEqual(counts[i - 1]!.bucketStart);
    }
    const burstMinute = await store.counts({ from: START + 7_200_000, to: START + 7_260_000, bucket: 'minute', type: 'line.cross' });
    expect(burstMinute).toContainEqual({
      bucketStart: START + 7_200_000,
      cameraId: 'cam-a',
      type: 'line.cross',
      zoneId: null,
      lineId: 'gate',
      direction: 'in',
      label: 'person',
      count: 20,
    });
    const days = await store.counts({ from: START, to: START + 3 * 86_400_000, bucket: 'day' });
    expect(new Set(days.map((d) => d.bucketStart))).toEqual(new Set([START, START + 86_400_000, START + 2 * 86_400_000]));
    expect(days.reduce((sum, d) => sum + d.count, 0)).toBe(620);
  });

  it('prunes old events with their snapshots and returns the blob keys', async () => {
    const events = Array.from({ length: 10 }, (_, i) => makeEvent({ wallTime: START + i * 60_000 }));
    await store.ingest('dev-1', events, [snapshotFor(events[1]!.id, 'crop'), snapshotFor(events[1]!.id, 'frame'), snapshotFor(events[7]!.id, 'crop')], START);
    const pruned = await store.pruneEvents(START + 5 * 60_000);
    expect(pruned.events).toBe(5);
    expect(pruned.blobKeys.sort()).toEqual([`${events[1]!.id}/crop.jpg`, `${events[1]!.id}/frame.jpg`]);
    expect(await store.countEvents()).toBe(5);
    expect(await store.getSnapshot(events[1]!.id, 'crop')).toBeUndefined();
    expect(await store.getSnapshot(events[7]!.id, 'crop')).toBeDefined();
    expect(await store.getEvent(events[4]!.id)).toBeUndefined();
    expect(await store.getEvent(events[5]!.id)).toBeDefined();
    expect(await store.pruneEvents(START + 5 * 60_000)).toEqual({ events: 0, blobKeys: [] });
  });

  it('reports the ingest rate of 50 batches of 1000 events', async () => {
    const batches = Array.from({ length: 50 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) =>
        makeEvent({ wallTime: START + b * 1000 + i, cameraId: `cam-${i % 4}`, trackId: (i % 97) + 1, kind: (['enter', 'exit', 'in'] as const)[i % 3] }),
      ),
    );
    const started = performance.now();
    for (const batch of batches) await store.ingest('dev-1', batch, [], Date.now());
    const seconds = (performance.now() - started) / 1000;
    console.log(`store ingest on ${backend}: ${Math.round(50_000 / seconds)} events/s (50 batches of 1000 in ${seconds.toFixed(2)} s)`);
    expect(await store.countEvents()).toBe(50_000);
  });
});

describe('store backends agree', () => {
  it('gives identical counts on SQLite and PostgreSQL', async () => {
    const databases = [await createTestDatabase('sqlite'), await createTestDatabase('postgres')];
    const stores = databases.map((d) => d.open());
    try {
      const rows = mixedEvents(400, START);
      for (const store of stores) {
        await store.migrate();
        await store.ingest('dev-1', rows.map((r) => r.event), [], START);
      }
      for (const bucket of ['minute', 'hour', 'day'] as const) {
        const [sqlite, postgres] = await Promise.all(stores.map((s) => s.counts({ from: START, to: START + 3 * 86_400_000, bucket })));
        expect(sqlite!.length).toBeGreaterThan(0);
        expect(postgres).toEqual(sqlite);
      }
    } finally {
      for (const store of stores) await store.close();
      for (const database of databases) await database.dispose();
    }
  });
});
