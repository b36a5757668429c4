import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../src/store/index.js';
import { FsBlobStore } from '../src/blobs/fs-blob-store.js';
import { Retention } from '../src/retention.js';
import { makeEvent, newDevice } from './store-fixtures.js';

describe('retention', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('deletes events older than the retention period together with their snapshot files, and keeps the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-retention-'));
    dirs.push(dir);
    const store = createStore({ dataDir: dir });
    await store.migrate();
    const blobs = new FsBlobStore(join(dir, 'blobs'));
    await store.createDevice(newDevice('dev-1'));
    const now = Date.UTC(2026, 10, 24);
    const day = 86_400_000;
    const old = makeEvent({ wallTime: now - 31 * day });
    const recent = makeEvent({ wallTime: now - 29 * day });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const snaps = [old, recent].map((e) => ({ eventId: e.id, kind: 'crop' as const, blobKey: `snapshots/${e.id}-crop.jpg`, width: 8, height: 8, bytes: jpeg.length }));
    for (const s of snaps) await blobs.put(s.blobKey, jpeg);
    await store.ingest('dev-1', [old, recent], snaps, now);

    const removed = await new Retention({ store, blobs, log: pino({ level: 'silent' }), days: 30 }).runOnce(now);

    expect(removed).toBe(1);
    expect(await store.getEvent(old.id)).toBeUndefined();
    expect(await store.getEvent(recent.id)).toBeDefined();
    expect(existsSync(join(dir, 'blobs', 'snapshots', `${old.id}-crop.jpg`))).toBe(false);
    expect(await blobs.get(`snapshots/${recent.id}-crop.jpg`)).toEqual(jpeg);
    await store.close();
  });

  it('refuses blob keys that could escape the blob directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-blobs-'));
    dirs.push(dir);
    const blobs = new FsBlobStore(dir);
    await expect(blobs.put('../escape.jpg', Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
    await expect(blobs.put('/abs.jpg', Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
    expect(await blobs.get('missing/key.jpg')).toBeUndefined();
  });
});
