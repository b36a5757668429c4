import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CameraConfig, LiveCommand } from '@sightline/protocol';
import { CameraFeed } from '@sightline/media';
import { LivePublishers } from '../src/live/live-publishers.js';

const LAVFI = 'lavfi:testsrc=size=160x120:rate=10';

/** A WHIP endpoint that refuses every offer and remembers the tokens it was shown. */
let server: Server;
let whipUrl: string;
const tokensSeen: string[] = [];
let workDir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    tokensSeen.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => res.writeHead(401).end('no'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  whipUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whip`;
  workDir = mkdtempSync(join(tmpdir(), 'live-publishers-'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(workDir, { recursive: true, force: true });
});

let publishers: LivePublishers | undefined;
afterEach(async () => {
  await publishers?.stopAll();
  publishers = undefined;
  tokensSeen.length = 0;
});

const feeds = new Map<string, CameraFeed>();
afterEach(async () => {
  await Promise.all([...feeds.values()].map((feed) => feed.stop()));
  feeds.clear();
});

function setup(cameras: Map<string, string>): LivePublishers {
  // What the edge's CameraFeeds does: one feed per camera, reopened when its source changes.
  const feedOf = (id: string) => {
    const source = cameras.get(id);
    if (source === undefined) return undefined;
    const current = feeds.get(id);
    if (current?.display === source) return current;
    void current?.stop();
    const feed = new CameraFeed({ source });
    feed.start();
    feeds.set(id, feed);
    return feed;
  };
  publishers = new LivePublishers({
    log: pino({ level: 'silent' }),
    ice: { loopbackOnly: true },
    cameraOf: (id) => (cameras.has(id) ? ({ id, source: cameras.get(id) } as CameraConfig) : undefined),
    feedOf,
    privacyRegionsOf: () => undefined,
  });
  return publishers;
}

const start = (token: string): LiveCommand => ({ action: 'start', cameraId: 'cam', whipUrl, token, expiresAt: Date.now() + 60_000, iceServers: [] });

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('LivePublishers', () => {
  it('reconnects with the newest token when the hub sends start again for the same URL (a restarted hub)', async () => {
    const live = setup(new Map([['cam', LAVFI]]));
    await live.handle(start('old'));
    await until(() => tokensSeen.includes('Bearer old'));
    await live.handle(start('new'));
    await until(() => tokensSeen.includes('Bearer new'));
    expect(live.cameraIds).toEqual(['cam']);
  }, 20_000);

  it('publishes afresh on start after the previous client gave up', async () => {
    const cameras = new Map([['cam', join(workDir, 'missing.mp4')]]);
    const live = setup(cameras);
    await expect(live.handle(start('t'))).rejects.toThrow(/does not exist|missing/);
    // The failed client must not make the next start a no-op: this one tries again (and fails again, loudly).
    await expect(live.handle(start('t'))).rejects.toThrow(/does not exist|missing/);
  }, 20_000);

  it('a config change whose new source cannot be read does not make refresh() fail', async () => {
    const cameras = new Map([['cam', LAVFI]]);
    const live = setup(cameras);
    await live.handle(start('t'));
    cameras.set('cam', join(workDir, 'missing.mp4'));
    await expect(live.refresh()).resolves.toBeUndefined();
  }, 20_000);

  it('a hub stop that arrives while a config change restarts publishing is not undone', async () => {
    const cameras = new Map([['cam', LAVFI]]);
    const live = setup(cameras);
    await live.handle(start('t'));
    cameras.set('cam', 'lavfi:testsrc=size=320x240:rate=10');
    const refreshed = live.refresh();
    const stopped = live.handle({ action: 'stop', cameraId: 'cam' });
    await Promise.all([refreshed, stopped]);
    expect(live.cameraIds).toEqual([]);
  }, 20_000);
});
