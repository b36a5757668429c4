import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSource, SourceError } from '../../src/source/index.js';
import { makeTempDir } from './helpers.js';

async function probeError(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('probeSource', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    temp = await makeTempDir();
    server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await temp.remove();
  });

  it('reads a lavfi pattern', async () => {
    const probe = await probeSource('lavfi:testsrc2=size=320x240:rate=30');
    expect(probe).toMatchObject({ width: 320, height: 240, fps: 30, codec: 'rawvideo' });
  });

  it("reports a missing file as 'not-found' and garbage as 'undecodable'", async () => {
    expect((await probeError(probeSource(join(temp.dir, 'nope.mp4')))).code).toBe('not-found');
    const garbage = join(temp.dir, 'garbage.bin');
    await writeFile(garbage, Buffer.alloc(2048, 0x5a));
    expect((await probeError(probeSource(garbage))).code).toBe('undecodable');
  });

  it("reports a missing ffprobe as 'ffmpeg-not-found'", async () => {
    const error = await probeError(probeSource('lavfi:testsrc2', { ffprobePath: join(temp.dir, 'no-ffprobe') }));
    expect(error.code).toBe('ffmpeg-not-found');
  });

  it('gives up after its timeout and redacts credentials', async () => {
    const started = Date.now();
    const error = await probeError(probeSource(`http://cam:pa55@127.0.0.1:${port}/x.mp4`, { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.code).toBe('startup-timeout');
    expect(error.message).not.toContain('pa55');
  });
});
