import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSource, SourceError } from '../../src/source/index.js';
import { collectFrames, encodeTestVideo, makeTempDir } from './helpers.js';

async function failure(source: FrameSource): Promise<SourceError> {
  const error = await collectFrames(source).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('FrameSource failures', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    temp = await makeTempDir();
  });
  afterAll(() => temp.remove());

  it("reports a missing file as 'not-found'", async () => {
    const path = join(temp.dir, 'missing.mp4');
    const source = new FrameSource(path, { width: 64, height: 64 });
    const error = await failure(source);
    expect(error.code).toBe('not-found');
    expect(error.message).toContain(path);
    expect(source.stats).toMatchObject({ state: 'error', lastErrorCode: 'not-found' });
  });

  it("reports a garbage file as 'undecodable' with ffmpeg's reason", async () => {
    const path = join(temp.dir, 'garbage.mp4');
    await writeFile(path, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    const error = await failure(new FrameSource(path, { width: 64, height: 64 }));
    expect(error.code).toBe('undecodable');
    expect(error.message).toContain(path);
    expect(error.ffmpegMessage).toMatch(/moov atom not found|Invalid data/);
  });

  it("reports a file without video as 'undecodable'", async () => {
    const path = await encodeTestVideo('sine=frequency=440:duration=0.5', join(temp.dir, 'audio.wav'), []);
    const error = await failure(new FrameSource(path, { width: 64, height: 64 }));
    expect(error.code).toBe('undecodable');
    expect(error.message).toMatch(/matches no streams/);
  });

  it("reports a missing ffmpeg binary as 'ffmpeg-not-found'", async () => {
    const source = new FrameSource('lavfi:testsrc2', { width: 64, height: 64, ffmpegPath: join(temp.dir, 'no-ffmpeg') });
    const error = await failure(source);
    expect(error.code).toBe('ffmpeg-not-found');
    expect(error.message).toContain('no-ffmpeg');
  });

  it("gives up on a live source at once when ffmpeg is missing: retrying cannot help", async () => {
    const source = new FrameSource('rtsp://127.0.0.1:9/cam', { width: 64, height: 64, ffmpegPath: join(temp.dir, 'no-ffmpeg') });
    expect((await failure(source)).code).toBe('ffmpeg-not-found');
    expect(source.stats.reconnects).toBe(0);
  });

  it("rejects invalid options up front with 'invalid-options'", () => {
    const make = (options: object) => () => new FrameSource('lavfi:testsrc2', { width: 64, height: 64, ...options });
    for (const bad of [{ width: 0 }, { height: 1.5 }, { padValue: 300 }, { fps: -1 }, { queueSize: 0 }, { pixelFormat: 'rgba' }]) {
      expect(make(bad)).toThrow(SourceError);
    }
    const error = (() => {
      try {
        make({ resize: 'crop', padValue: 256 })();
      } catch (e) {
        return e as SourceError;
      }
      return null;
    })();
    expect(error?.code).toBe('invalid-options');
    expect(error?.message).toMatch(/resize must be one of letterbox, stretch \(got crop\)/);
    expect(error?.message).toMatch(/padValue must be an integer from 0 to 255 \(got 256\)/);
  });

  describe('against an HTTP server that never answers', () => {
    let server: Server;
    let port: number;

    beforeAll(async () => {
      server = createServer(() => {
        // Accept the request and say nothing.
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("times out at startup with 'startup-timeout' and hides the password", async () => {
      const source = new FrameSource(`http://admin:hunter2@127.0.0.1:${port}/clip.mp4`, {
        width: 64,
        height: 64,
        startupTimeoutMs: 400,
      });
      expect(source.live).toBe(false);
      expect(source.source).toBe(`http://admin:***@127.0.0.1:${port}/clip.mp4`);
      const started = Date.now();
      const error = await failure(source);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(error.code).toBe('startup-timeout');
      expect(error.message).not.toContain('hunter2');
      expect(error.message).toContain('admin:***@');
    });
  });
});
