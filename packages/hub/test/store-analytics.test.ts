import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/index.js';
import { createTestDatabase, makeEvent, snapshotFor } from './store-fixtures.js';
import type { BackendName, TestDatabase } from './store-fixtures.js';

const START = Date.UTC(2026, 2, 1);
const MIN = 60_000;

describe.each<BackendName>(['sqlite', 'postgres'])('store analytics and settings on %s', (backend) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await createTestDatabase(backend);
    store = database.open();
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await database.dispose();
  });

  it('lists zone entries and exits in a range, oldest first, filtered by camera, zone and class', async () => {
    const events = [
      makeEvent({ wallTime: START + 3 * MIN, kind: 'exit' }),
      makeEvent({ wallTime: START + 1 * MIN, kind: 'enter' }),
      makeEvent({ wallTime: START + 2 * MIN, kind: 'enter', label: 'car' }),
      makeEvent({ wallTime: START + 2 * MIN + 1, kind: 'loiter' }),
      makeEvent({ wallTime: START + 4 * MIN, kind: 'in' }),
      makeEvent({ wallTime: START + 5 * MIN, kind: 'enter', zoneId: 'lobby', cameraId: 'cam-b' }),
      makeEvent({ wallTime: START + 99 * MIN, kind: 'enter' }),
    ];
    await store.ingest('dev-1', events, [], START);
    const all = await store.zoneTransitions({ from: START, to: START + 10 * MIN }, 100);
    expect(all.map((t) => [t.wallTime - START, t.type, t.cameraId, t.zoneId, t.label])).toEqual([
      [1 * MIN, 'zone.enter', 'cam-a', 'door', 'person'],
      [2 * MIN, 'zone.enter', 'cam-a', 'door', 'car'],
      [3 * MIN, 'zone.exit', 'cam-a', 'door', 'person'],
      [5 * MIN, 'zone.enter', 'cam-b', 'lobby', 'person'],
    ]);
    expect((await store.zoneTransitions({ from: START, to: START + 10 * MIN, cameraId: 'cam-b' }, 100)).map((t) => t.zoneId)).toEqual(['lobby']);
    expect((await store.zoneTransitions({ from: START, to: START + 10 * MIN, zoneId: 'door', label: 'person' }, 100)).map((t) => t.type)).toEqual([
      'zone.enter',
      'zone.exit',
    ]);
    expect(await store.zoneTransitions({ from: START, to: START + 10 * MIN }, 2)).toHaveLength(2);
  });

  it('gives the boxes of one camera in a range, newest first, and its latest frame snapshot', async () => {
    const older = { ...makeEvent({ wallTime: START + MIN }), bbox: [0, 0, 0.5, 0.5] as [number, number, number, number] };
    const newer = { ...makeEvent({ wallTime: START + 2 * MIN, kind: 'in' }), bbox: [0.5, 0.5, 1, 1] as [number, number, number, number] };
    const car = { ...makeEvent({ wallTime: START + 3 * MIN, label: 'car' }), bbox: [0.25, 0.25, 0.75, 0.75] as [number, number, number, number] };
    const elsewhere = makeEvent({ wallTime: START + 2 * MIN, cameraId: 'cam-b' });
    const cropOnly = makeEvent({ wallTime: START + 4 * MIN });
    await store.ingest('dev-1', [older, newer, car, elsewhere, cropOnly], [snapshotFor(older.id, 'frame'), snapshotFor(newer.id, 'frame'), snapshotFor(newer.id, 'crop'), snapshotFor(elsewhere.id, 'frame'), snapshotFor(cropOnly.id, 'crop')], START);

    expect(await store.eventBoxes({ cameraId: 'cam-a', from: START, to: START + 4 * MIN }, 10)).toEqual([car.bbox, newer.bbox, older.bbox]);
    expect(await store.eventBoxes({ cameraId: 'cam-a', from: START, to: START + 4 * MIN, label: 'car' }, 10)).toEqual([car.bbox]);
    expect(await store.eventBoxes({ cameraId: 'cam-a', from: START, to: START + 4 * MIN, type: 'line.cross' }, 10)).toEqual([newer.bbox]);
    expect(await store.eventBoxes({ cameraId: 'cam-a', from: START, to: START + 4 * MIN }, 1)).toEqual([car.bbox]);

    const latest = await store.latestFrameSnapshot('cam-a');
    expect(latest).toEqual({ eventId: newer.id, wallTime: newer.wallTime, snapshot: { kind: 'frame', blobKey: `${newer.id}/frame.jpg`, width: 640, height: 360, bytes: 4321 } });
    expect(await store.latestFrameSnapshot('cam-z')).toBeUndefined();
  });

  it('stores settings as JSON by name, replacing a setting written again', async () => {
    expect(await store.getSettings()).toEqual([]);
    await store.putSettings({ eventRetentionDays: 14, iceServers: [{ urls: 'stun:stun.example.org:3478' }] }, START, 'admin');
    await store.putSettings({ eventRetentionDays: 7 }, START + 1000, 'API key "ops"');
    expect(await store.getSettings()).toEqual([
      { name: 'eventRetentionDays', value: 7, updatedAt: START + 1000, updatedBy: 'API key "ops"' },
      { name: 'iceServers', value: [{ urls: 'stun:stun.example.org:3478' }], updatedAt: START, updatedBy: 'admin' },
    ]);
    // They outlive the connection.
    await store.close();
    store = database.open();
    await store.migrate();
    expect((await store.getSettings()).map((s) => [s.name, s.value])).toEqual([
      ['eventRetentionDays', 7],
      ['iceServers', [{ urls: 'stun:stun.example.org:3478' }]],
    ]);
  });
});
