import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/frame.js';
import { FrameSource, SourceError, type FrameSourceOptions, type ReconnectInfo } from '../../src/source/index.js';
import { liveChildCount } from '../../src/util/child-registry.js';
import { startRtspTestServer, type RtspTestServer } from '../support/rtsp-test-server.js';
import { ffmpegChildren } from './helpers.js';

// Small enough that encoding and a few decoders take little of two cores. 30 fps rather than 15 because
// ffmpeg probes a fixed number of frames before the first one comes out: 2.6 s at 15 fps, 1.3 s at 30.
const CAMERA = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'];
const OPTIONS: FrameSourceOptions = { width: 160, height: 120 };
const CREDENTIALS = { username: 'viewer', password: 'pa55word' };

async function take(source: FrameSource, count: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  while (frames.length < count) {
    const frame = await source.next();
    if (frame === null) throw new Error(`source ended after ${frames.length} frames`);
    frames.push(frame);
  }
  return frames;
}

/** The first failure of a source that is not allowed to retry. */
async function failure(source: FrameSource): Promise<SourceError> {
  const error = await source.next().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

function expectContiguousAndIncreasing(frames: Frame[]): void {
  frames.forEach((frame, i) => expect(frame.index).toBe(frames[0]!.index + i));
  for (let i = 1; i < frames.length; i++) expect(frames[i]!.pts).toBeGreaterThan(frames[i - 1]!.pts);
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FrameSource on a real RTSP server', () => {
  let server: RtspTestServer;
  let securedServer: RtspTestServer;
  const sources: FrameSource[] = [];
  const open = (url: string, options: FrameSourceOptions = OPTIONS) => {
    const source = new FrameSource(url, options);
    sources.push(source);
    return source;
  };

  beforeAll(async () => {
    [server, securedServer] = await Promise.all([
      startRtspTestServer(),
      startRtspTestServer({ credentials: { ...CREDENTIALS, scheme: 'digest' } }),
    ]);
    await Promise.all([server.publish('camera', CAMERA), securedServer.publish('camera', CAMERA)]);
  });
  afterAll(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    expect(liveChildCount()).toBe(0);
    await Promise.all([server?.stop(), securedServer?.stop()]);
    expect(await ffmpegChildren()).toEqual([]);
  });

  // Each source waits mostly on the network and ffmpeg's probing, so these run side by side.
  describe.concurrent('reading', () => {
    it.each(['tcp', 'udp'] as const)('delivers frames of the right size with increasing pts over %s', async (transport) => {
      const source = open(server.url('camera'), { ...OPTIONS, rtspTransport: transport });
      expect(source.live).toBe(true);
      const frames = await take(source, 10);
      expect(server.readerTransports('camera')).toContain(transport);
      for (const frame of frames) {
        expect(frame).toMatchObject({ width: 160, height: 120, sourceWidth: 320, sourceHeight: 240 });
        expect(frame.data.length).toBe(160 * 120 * 3);
      }
      expectContiguousAndIncreasing(frames);
      expect(frames[0]!.index).toBe(0);
      // 30 fps source: consecutive frames are 1/30 s apart on the RTP clock.
      const meanStep = (frames.at(-1)!.pts - frames[0]!.pts) / (frames.length - 1);
      expect(meanStep).toBeCloseTo(1 / 30, 3);
      const readers = server.readerTransports('camera').length;
      await source.stop();
      // ffmpeg sends TEARDOWN (or closes the connection) when stopped.
      await until(() => server.readerTransports('camera').length < readers, 'the reader to leave');
    });

    it('authenticates with credentials from the URL (Digest)', async () => {
      const source = open(securedServer.url('camera', CREDENTIALS));
      const frames = await take(source, 3);
      expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
      await source.stop();
    });

    it("reports a wrong password as 'unauthorized' without revealing it", async () => {
      const url = securedServer.url('camera', { username: 'viewer', password: 'wrong-secret' });
      const source = open(url, { ...OPTIONS, reconnect: { maxAttempts: 0 } });
      expect(source.source).not.toContain('wrong-secret');
      const error = await failure(source);
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(/401 Unauthorized/);
      expect(error.message).toContain('viewer:***@127.0.0.1');
      for (const text of [error.message, error.source, error.ffmpegMessage ?? '', source.stats.lastError ?? '']) {
        expect(text).not.toContain('wrong-secret');
      }
      // Without any credentials the answer is the same.
      const anonymous = open(securedServer.url('camera'), { ...OPTIONS, reconnect: { maxAttempts: 0 } });
      expect((await failure(anonymous)).code).toBe('unauthorized');
    });

    it("reports an unknown path as 'not-found'", async () => {
      const error = await failure(open(server.url('no-such-camera'), { ...OPTIONS, reconnect: { maxAttempts: 0 } }));
      expect(error.code).toBe('not-found');
      expect(error.message).toMatch(/^source not found: rtsp:\/\/127\.0\.0\.1:\d+\/no-such-camera: .*404 Not Found/);
    });

    it.each(['tcp', 'udp'] as const)(
      'reconnects over %s with backoff after the publisher is cut, with contiguous indices and increasing pts',
      async (transport) => {
        const path = `flaky-${transport}`;
        const publisher = await server.publish(path, CAMERA);
        const source = open(server.url(path), {
          ...OPTIONS,
          rtspTransport: transport,
          stallTimeoutMs: 2000,
          reconnect: { initialDelayMs: 100, maxDelayMs: 400, jitter: 0 },
        });
        const retries: ReconnectInfo[] = [];
        source.on('reconnecting', (info) => retries.push(info));
        const before = await take(source, 5);
        await publisher.cut();
        // While the path is gone, each attempt gets a 404 and the delay grows.
        await until(() => retries.length >= 3, 'three reconnection attempts');
        await publisher.restart();
        // Frames still queued from before the cut come first; the run after the restart follows.
        const after = await take(source, 15);
        const frames = [...before, ...after];
        expectContiguousAndIncreasing(frames);
        expect(frames[0]!.index).toBe(0);
        expect(retries[0]!.error.code).toMatch(/ended-unexpectedly|connection-failed|stalled/);
        expect(retries.slice(1, 3).map((r) => r.error.code)).toEqual(['not-found', 'not-found']);
        expect(retries.slice(0, 3).map((r) => r.delayMs)).toEqual([100, 200, 400]);
        expect(source.stats.state).toBe('running');
        expect(source.stats.reconnects).toBe(retries.length);
        expect(server.readerTransports(path)).toEqual([transport]);
        await source.stop();
        await publisher.stop();
      },
    );
  });

  // Alone, so that every ffmpeg child but the publishers' must be gone.
  it('stop() while waiting to reconnect leaves no ffmpeg behind', async () => {
    const publisher = await server.publish('flaky-stop', CAMERA);
    const source = open(server.url('flaky-stop'), { ...OPTIONS, reconnect: { initialDelayMs: 50, jitter: 0 } });
    await take(source, 2);
    await publisher.cut();
    await new Promise((resolve) => source.once('reconnecting', resolve));
    await source.stop();
    expect(source.state).toBe('ended');
    expect(liveChildCount()).toBe(0);
    expect(await ffmpegChildren()).toHaveLength(2); // the two publishers of 'camera'
  });
});
