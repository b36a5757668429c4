import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CameraFeed, type AccessUnit } from '../../src/index.js';
import { makeClip } from '../publish-support/media-files.js';
import { isRunning, waitUntilGone } from '../publish-support/processes.js';

let dir: string;
let withBFrames: string;
let mpeg4: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'camera-feed-'));
  withBFrames = makeClip(dir, 'bframes.mp4', ['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-g', '25'], 2);
  mpeg4 = makeClip(dir, 'mpeg4.avi', ['-c:v', 'mpeg4', '-g', '25'], 2);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const feeds: CameraFeed[] = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
});

function open(source: string): CameraFeed {
  const feed = new CameraFeed({ source, reconnectBackoff: { initialDelayMs: 100, maxDelayMs: 200 } });
  feeds.push(feed);
  feed.start();
  return feed;
}

async function collect(feed: CameraFeed, count: number, timeoutMs = 10_000): Promise<AccessUnit[]> {
  const units: AccessUnit[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${units.length} of ${count} pictures (state ${feed.state}, ${feed.lastError})`)), timeoutMs);
    const unsubscribe = feed.subscribe((u) => {
      units.push(u);
      if (units.length >= count) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
  return units;
}

/** The pts of every frame ffmpeg decodes from a tap, read with -copyts from showinfo. */
async function decodedPts(stream: NodeJS.ReadableStream, frames: number): Promise<number[]> {
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-probesize', '32', '-analyzeduration', '0', '-copyts', '-f', 'mpegts', '-i', 'pipe:0', '-vf', 'showinfo', '-frames:v', String(frames), '-f', 'null', '-'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  ffmpeg.stdin.on('error', () => undefined);
  stream.pipe(ffmpeg.stdin);
  let log = '';
  ffmpeg.stderr.setEncoding('utf8');
  ffmpeg.stderr.on('data', (t: string) => (log += t));
  await new Promise((resolve) => ffmpeg.once('close', resolve));
  return [...log.matchAll(/showinfo.*?\bn:\s*\d+\s+pts:\s*(\d+)/g)].map((m) => Number(m[1]));
}

describe('CameraFeed', () => {
  it('encodes a source that is not H.264 once, and starts every subscriber on a keyframe', async () => {
    const feed = open('lavfi:testsrc2=size=320x240:rate=25');
    const units = await collect(feed, 30);
    expect(feed.stats.mode).toBe('encode');
    expect(units.filter((u) => u.keyframe).length).toBeGreaterThanOrEqual(1);
    units.slice(1).forEach((u, i) => expect(u.pts).toBeGreaterThan(units[i]!.pts));
    const late: AccessUnit[] = [];
    feed.subscribe((u) => late.push(u), { replay: true })();
    expect(late[0]?.keyframe).toBe(true);
  });

  it('copies H.264 as it is, notices B-frames, and decoders read its taps with the same timestamps', async () => {
    const feed = open(`loop:${withBFrames}`);
    const delivered = new Set<number>();
    feed.subscribe((u) => delivered.add(u.pts));
    await collect(feed, 20);
    expect(feed.stats.mode).toBe('copy');
    expect(feed.hasBFrames).toBe(true);
    const pts = await decodedPts(feed.tap().open(), 10);
    expect(pts.length).toBeGreaterThanOrEqual(10);
    // Every decoded frame's pts is one the feed delivered: the decoder sees the feed's timeline (-copyts).
    for (const p of pts) expect(delivered.has(p)).toBe(true);
  });

  it('re-encodes a camera that sends another codec (MPEG-4 part 2)', async () => {
    const feed = open(`loop:${mpeg4}`);
    await collect(feed, 10);
    expect(feed.stats.inputCodec).toBe('mpeg4');
    expect(feed.stats.mode).toBe('encode');
  });

  it('keeps one timeline across a reconnect: pts only grow', async () => {
    const feed = open('lavfi:testsrc2=size=160x120:rate=25');
    const before = await collect(feed, 5);
    const pid = feed.stats.pid!;
    process.kill(pid, 'SIGKILL');
    const after = await collect(feed, 30);
    expect(feed.stats.reconnects).toBe(1);
    expect(feed.stats.pid).not.toBe(pid);
    const all = [...before, ...after];
    all.slice(1).forEach((u, i) => expect(u.pts).toBeGreaterThan(all[i]!.pts));
  });

  it('keeps one timeline when a looped file starts again', async () => {
    const short = makeClip(dir, 'short.mp4', ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10'], 0.6, '160x120', 25);
    const feed = open(`loop:${short}`);
    const units = await collect(feed, 45, 15_000);
    units.slice(1).forEach((u, i) => {
      expect(u.dts).toBeGreaterThan(units[i]!.dts);
      expect(u.dts - units[i]!.dts).toBeLessThan(90_000);
    });
  });

  it('fails clearly on a missing file and leaves no ffmpeg behind when stopped', async () => {
    const missing = open(join(dir, 'nope.mp4'));
    const deadline = Date.now() + 10_000;
    while (missing.state !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(missing.state).toBe('failed');
    expect(missing.lastError).toMatch(/No such file|nope\.mp4/);

    const live = open('lavfi:testsrc2=size=160x120:rate=25');
    await collect(live, 3);
    const pid = live.stats.pid!;
    expect(isRunning(pid)).toBe(true);
    await live.stop();
    await waitUntilGone([pid], 3000);
  });
});
