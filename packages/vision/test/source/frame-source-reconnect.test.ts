import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameSource, SourceError, type ReconnectInfo, type SourceState } from '../../src/source/index.js';
import { encodeTestVideo, ffmpegChildren, makeTempDir } from './helpers.js';

type Handler = (request: number, req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server on 127.0.0.1 whose behaviour depends on how many requests it has seen. */
async function startServer(handler: Handler): Promise<{ url: string; server: Server; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => handler(requests++, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/live.ts`, server, requests: () => requests };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A port with nothing listening: bind one, then let it go. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('FrameSource reconnection', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let stream: Buffer;
  const servers: Server[] = [];

  beforeAll(async () => {
    temp = await makeTempDir();
    const path = await encodeTestVideo(
      'testsrc2=size=160x120:rate=25:duration=8',
      join(temp.dir, 'live.ts'),
      ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', '-f', 'mpegts'],
    );
    stream = await readFile(path);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closeServer));
    expect(await ffmpegChildren()).toEqual([]);
  });
  afterAll(() => temp.remove());

  it('retries an unreachable RTSP camera with growing delays and stops cleanly', async () => {
    const url = `rtsp://viewer:s3cret@127.0.0.1:${await unusedPort()}/stream`;
    const source = new FrameSource(url, {
      width: 64,
      height: 64,
      reconnect: { initialDelayMs: 40, maxDelayMs: 300, jitter: 0 },
    });
    expect(source.live).toBe(true);
    const retries: ReconnectInfo[] = [];
    const states = new Set<SourceState>();
    source.on('state', (s) => states.add(s));
    source.on('reconnecting', (info) => retries.push(info));
    const frame = source.next();
    await new Promise<void>((resolve) => {
      source.on('reconnecting', () => retries.length === 5 && resolve());
    });
    await source.stop();
    await expect(frame).resolves.toBeNull();
    expect(retries.slice(0, 5).map((r) => r.delayMs)).toEqual([40, 80, 160, 300, 300]);
    expect(retries.map((r) => r.attempt).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(retries[0]!.error.code).toBe('connection-failed');
    expect(retries[0]!.error.message).toMatch(/Connection refused/);
    const stats = source.stats;
    expect(stats.state).toBe('ended');
    expect(stats.reconnects).toBeGreaterThanOrEqual(5);
    expect(stats.lastErrorCode).toBe('connection-failed');
    expect(stats.lastError).not.toContain('s3cret');
    expect([...states]).toEqual(expect.arrayContaining(['connecting', 'reconnecting', 'ended']));
  });

  it('gives up after maxAttempts with the last error', async () => {
    const source = new FrameSource(`http://127.0.0.1:${await unusedPort()}/cam.mjpg`, {
      width: 64,
      height: 64,
      reconnect: { initialDelayMs: 20, maxAttempts: 2, jitter: 0 },
    });
    const error = await source.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('connection-failed');
    expect(source.stats).toMatchObject({ state: 'error', reconnects: 2 });
  });

  it('resumes a cut HTTP stream with indices and pts that keep increasing', async () => {
    const { url, server, requests } = await startServer((request, _req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      if (request === 0) {
        // About 2 s of video, then the connection breaks.
        res.write(stream.subarray(0, Math.floor(stream.length * 0.25)), () => res.destroy());
      } else {
        res.end(stream);
      }
    });
    servers.push(server);
    const source = new FrameSource(url, {
      width: 64,
      height: 64,
      overflow: 'pause',
      reconnect: { initialDelayMs: 50, jitter: 0 },
    });
    const frames = [];
    let reconnectedAt = -1;
    source.on('reconnecting', () => (reconnectedAt = reconnectedAt < 0 ? frames.length : reconnectedAt));
    for await (const frame of source) {
      frames.push(frame);
      if (reconnectedAt >= 0 && frames.length >= reconnectedAt + 20) break;
    }
    expect(requests()).toBeGreaterThanOrEqual(2);
    expect(reconnectedAt).toBeGreaterThan(5);
    expect(source.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(source.stats.lastErrorCode).toMatch(/ended-unexpectedly|connection-failed/);
    frames.forEach((f, i) => expect(f.index).toBe(i));
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.pts).toBeGreaterThan(frames[i - 1]!.pts);
  });

  it("treats a stream that stops sending as 'stalled' and reconnects", async () => {
    const { url, server } = await startServer((request, _req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      // Most of the video (more than ffmpeg's 5 s stream analysis), then silence with the connection open.
      if (request === 0) res.write(stream.subarray(0, Math.floor(stream.length * 0.8)));
      else res.end(stream);
    });
    servers.push(server);
    const source = new FrameSource(url, {
      width: 64,
      height: 64,
      overflow: 'pause',
      stallTimeoutMs: 600,
      startupTimeoutMs: 5000,
      reconnect: { initialDelayMs: 50, jitter: 0 },
    });
    const retries: ReconnectInfo[] = [];
    source.on('reconnecting', (info) => retries.push(info));
    let count = 0;
    for await (const _frame of source) {
      if (retries.length > 0 && ++count === 5) break;
    }
    expect(retries[0]!.error.code).toBe('stalled');
    expect(retries[0]!.error.message).toMatch(/no frame from http:\/\/127\.0\.0\.1:\d+\/live\.ts for \d+ ms/);
  });
});
