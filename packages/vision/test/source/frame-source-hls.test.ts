import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/frame.js';
import { hlsPlaylistHasEnded } from '../../src/source/hls-playlist.js';
import { FrameSource, SourceError } from '../../src/source/index.js';
import { collectFrames, ffmpegChildren, makeTempDir } from './helpers.js';

const FPS = 30;
const PATTERN = `testsrc2=size=320x240:rate=${FPS}`;
// One-second segments need a keyframe at least every second; no B-frames keeps pts = decode order.
const ENCODER = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-bf', '0', '-pix_fmt', 'yuv420p'];
const OPTIONS = { width: 160, height: 120 };
const LIVE_WINDOW_SEGMENTS = 3;

/** Serves `root` on 127.0.0.1, as an HLS origin would. */
async function startStaticServer(root: string): Promise<{ url: (path: string) => string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const type = path.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t';
    readFile(join(root, path)).then(
      (body) => res.writeHead(200, { 'content-type': type }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: (path) => `http://127.0.0.1:${port}/${path}`, server };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const segmentsIn = async (playlist: string) =>
  (await readFile(playlist, 'utf8').catch(() => '')).split('\n').filter((line) => line.endsWith('.ts')).length;

function expectIncreasing(frames: Frame[]): void {
  frames.forEach((frame, i) => expect(frame.index).toBe(frames[0]!.index + i));
  for (let i = 1; i < frames.length; i++) expect(frames[i]!.pts).toBeGreaterThan(frames[i - 1]!.pts);
}

describe('FrameSource on HLS', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let origin: Awaited<ReturnType<typeof startStaticServer>>;
  let livePublisher: ChildProcess;
  let livePlaylist: string;

  beforeAll(async () => {
    temp = await makeTempDir();
    await Promise.all(['vod', 'live'].map((dir) => mkdir(join(temp.dir, dir))));
    origin = await startStaticServer(temp.dir);
    livePlaylist = join(temp.dir, 'live', 'index.m3u8');
    // A live window of three segments that slides while the tests run: old segments leave the playlist.
    livePublisher = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', PATTERN, ...ENCODER,
        '-f', 'hls', '-hls_time', '1', '-hls_list_size', String(LIVE_WINDOW_SEGMENTS),
        '-hls_flags', 'delete_segments+temp_file', livePlaylist],
      { stdio: 'ignore' },
    );
    const vod = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `${PATTERN}:duration=3`, ...ENCODER,
        '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', join(temp.dir, 'vod', 'index.m3u8')],
      { stdio: 'ignore' },
    );
    expect(await new Promise((resolve) => vod.once('exit', resolve))).toBe(0);
    await writeFile(
      join(temp.dir, 'master.m3u8'),
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x240\nvod/index.m3u8\n',
    );
  });
  afterAll(async () => {
    if (livePublisher?.exitCode === null) {
      const exited = new Promise((resolve) => livePublisher.once('exit', resolve));
      livePublisher.kill('SIGKILL');
      await exited;
    }
    origin?.server.closeAllConnections();
    await new Promise((resolve) => origin?.server.close(resolve));
    await temp?.remove();
    expect(await ffmpegChildren()).toEqual([]);
  });

  describe.concurrent('playlists', () => {
    it('delivers every frame of a VOD playlist, in order, when opened as a file', async () => {
      const source = new FrameSource(origin.url('vod/index.m3u8'), { ...OPTIONS, live: false });
      const frames = await collectFrames(source);
      expect(frames).toHaveLength(3 * FPS);
      expectIncreasing(frames);
      expect(frames[0]).toMatchObject({ index: 0, width: 160, height: 120, sourceWidth: 320, sourceHeight: 240 });
      expect(frames.at(-1)!.pts - frames[0]!.pts).toBeCloseTo((3 * FPS - 1) / FPS, 3);
      expect(source.stats).toMatchObject({ state: 'ended', dropped: 0, reconnects: 0 });
    });

    it('ends at the end of a VOD playlist opened with defaults (live), instead of replaying it', async () => {
      // One retry allowed, so that a replay (the old behaviour) fails fast with 'ended-unexpectedly'.
      const source = new FrameSource(origin.url('vod/index.m3u8'), { ...OPTIONS, reconnect: { maxAttempts: 1 } });
      expect(source.live).toBe(true);
      const frames = await collectFrames(source);
      expectIncreasing(frames);
      // Frames delivered or dropped (drop-oldest): exactly one pass over the playlist.
      expect(source.stats).toMatchObject({ state: 'ended', framesReceived: 3 * FPS, reconnects: 0 });
    });

    it('reads a live playlist as live: drops what a slow consumer misses and follows the playlist as it slides', async () => {
      await until(async () => (await segmentsIn(livePlaylist)) >= LIVE_WINDOW_SEGMENTS, 'the live window to fill');
      const source = new FrameSource(origin.url('live/index.m3u8'), { ...OPTIONS, reconnect: { maxAttempts: 0 } });
      try {
        expect(source.live).toBe(true);
        expect(source.options.overflow).toBe('drop-oldest');
        const first = (await source.next())!;
        // ffmpeg starts near the live edge and hands over the segments already listed in one burst;
        // a consumer that is not reading keeps only the newest queueSize frames of it.
        await until(() => source.stats.framesReceived >= FPS, 'the initial burst');
        expect(source.stats.dropped).toBeGreaterThanOrEqual(FPS - 1 - source.options.queueSize);
        const frames = [first];
        // At most three seconds of video were listed when the source started: frames beyond that came from
        // segments the publisher wrote later, found by reloading the playlist.
        while (frames.at(-1)!.pts - first.pts < LIVE_WINDOW_SEGMENTS + 0.5) frames.push((await source.next())!);
        for (let i = 1; i < frames.length; i++) expect(frames[i]!.pts).toBeGreaterThan(frames[i - 1]!.pts);
        expect(frames.map((f) => f.index)).toEqual([...frames.keys()]);
        expect(source.stats).toMatchObject({ state: 'running', reconnects: 0 });
      } finally {
        await source.stop();
      }
    });

    it('tells finished playlists (VOD, directly or behind a master playlist) from live or unreachable ones', async () => {
      await until(async () => (await segmentsIn(livePlaylist)) >= 1, 'the live playlist');
      expect(await hlsPlaylistHasEnded(origin.url('vod/index.m3u8'))).toBe(true);
      expect(await hlsPlaylistHasEnded(origin.url('master.m3u8'))).toBe(true);
      expect(await hlsPlaylistHasEnded(origin.url('live/index.m3u8'))).toBe(false);
      // Unknown: a live source must keep reconnecting.
      expect(await hlsPlaylistHasEnded(origin.url('missing/index.m3u8'))).toBe(false);
    });

    it("reports a playlist the server does not have as 'not-found'", async () => {
      const url = origin.url('missing/index.m3u8');
      const source = new FrameSource(url, { ...OPTIONS, reconnect: { maxAttempts: 0 } });
      const error = await collectFrames(source).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).code).toBe('not-found');
      // The URL appears once: ffmpeg's own prefix is not repeated.
      expect((error as SourceError).message).toBe(`source not found: ${url}: Server returned 404 Not Found`);
      expect((error as SourceError).ffmpegMessage).toBe(`${url}: Server returned 404 Not Found`);
    });
  });
});
