import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotateError, AnnotatedVideoWriter, createRasterImage, drawOverlay } from '../../src/annotate/index.js';
import { REPO_ROOT } from '../../src/util/shared-data.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sightline-annotate-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface ProbedVideo {
  codec: string;
  width: number;
  height: number;
  frames: number;
  pixelFormat: string;
}

async function probe(path: string): Promise<ProbedVideo> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error',
    '-select_streams', 'v:0',
    '-count_frames',
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames,pix_fmt',
    '-of', 'json',
    path,
  ]);
  const stream = (JSON.parse(stdout) as { streams: Record<string, string | number>[] }).streams[0]!;
  return {
    codec: String(stream.codec_name),
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number(stream.nb_read_frames),
    pixelFormat: String(stream.pix_fmt),
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !isRunning(pid);
}

describe('AnnotatedVideoWriter', () => {
  it('encodes annotated frames into an H.264 MP4 of the frame size', async () => {
    const outputPath = join(work, 'annotated.mp4');
    const writer = new AnnotatedVideoWriter({ outputPath, width: 160, height: 120, fps: 15 });
    for (let i = 0; i < 30; i++) {
      const image = createRasterImage(160, 120, [20, 20 + i * 4, 60]);
      drawOverlay(image, {
        tracks: [{ trackId: 1, classId: 0, label: 'person', score: 0.8, box: [10 + i * 3, 20, 50 + i * 3, 100], state: 'confirmed', age: i }],
        config: { zones: [], lines: [] },
      });
      await writer.writeFrame(image.data);
    }
    expect(writer.framesWritten).toBe(30);
    await writer.close();
    await writer.close(); // closing twice is harmless
    expect(await probe(outputPath)).toEqual({ codec: 'h264', width: 160, height: 120, frames: 30, pixelFormat: 'yuv420p' });
  });

  it('writes to names that look like options or URLs as plain files', async () => {
    const outputPath = join(work, '-tricky:name.mp4');
    const writer = new AnnotatedVideoWriter({ outputPath, width: 16, height: 16, fps: 10, preset: 'veryfast' });
    await writer.writeFrame(Buffer.alloc(16 * 16 * 3, 90));
    await writer.close();
    expect(await probe(outputPath)).toMatchObject({ codec: 'h264', frames: 1 });
  });

  it('pads odd sizes to even ones, which yuv420p requires', async () => {
    const outputPath = join(work, 'odd.mp4');
    const writer = new AnnotatedVideoWriter({ outputPath, width: 33, height: 21, fps: 10 });
    for (let i = 0; i < 3; i++) await writer.writeFrame(Buffer.alloc(33 * 21 * 3, 200));
    await writer.close();
    expect(await probe(outputPath)).toMatchObject({ codec: 'h264', width: 34, height: 22, frames: 3 });
  });

  it('rejects a frame of the wrong size without breaking the stream', async () => {
    const outputPath = join(work, 'wrong-size.mp4');
    const writer = new AnnotatedVideoWriter({ outputPath, width: 32, height: 32, fps: 10 });
    await expect(writer.writeFrame(Buffer.alloc(10))).rejects.toThrow(/32×32 frame must be 3072 bytes, got 10/);
    await writer.writeFrame(Buffer.alloc(32 * 32 * 3));
    await writer.close();
    expect((await probe(outputPath)).frames).toBe(1);
    await expect(writer.writeFrame(Buffer.alloc(32 * 32 * 3))).rejects.toMatchObject({ code: 'writer-closed' });
  });

  it('rejects with ffmpeg\'s own explanation when ffmpeg fails', async () => {
    const outputPath = join(work, 'no-such-dir', 'out.mp4');
    const writer = new AnnotatedVideoWriter({ outputPath, width: 64, height: 48, fps: 10 });
    const failure = await (async () => {
      try {
        for (let i = 0; i < 30; i++) await writer.writeFrame(Buffer.alloc(64 * 48 * 3));
        await writer.close();
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(failure).toBeInstanceOf(AnnotateError);
    expect((failure as AnnotateError).code).toBe('ffmpeg-failed');
    expect((failure as AnnotateError).message).toMatch(/ffmpeg exited with code \d+ while writing the annotated video/);
    expect((failure as AnnotateError).message).toMatch(/No such file or directory/);
    await expect(writer.close()).rejects.toThrow(/No such file or directory/);
  });

  it('says so when ffmpeg cannot be found', async () => {
    const writer = new AnnotatedVideoWriter({ outputPath: join(work, 'x.mp4'), width: 8, height: 8, fps: 10, ffmpegPath: '/nonexistent/ffmpeg' });
    await expect(writer.writeFrame(Buffer.alloc(8 * 8 * 3))).rejects.toMatchObject({
      code: 'ffmpeg-not-found',
      message: expect.stringMatching(/\/nonexistent\/ffmpeg.*SIGHTLINE_FFMPEG/),
    });
  });

  it('runs the ffmpeg named by $SIGHTLINE_FFMPEG when no path is given', async () => {
    const saved = process.env.SIGHTLINE_FFMPEG;
    process.env.SIGHTLINE_FFMPEG = '/nonexistent/env-ffmpeg';
    try {
      const writer = new AnnotatedVideoWriter({ outputPath: join(work, 'env.mp4'), width: 8, height: 8, fps: 10 });
      await expect(writer.close()).rejects.toThrow(/\/nonexistent\/env-ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.SIGHTLINE_FFMPEG;
      else process.env.SIGHTLINE_FFMPEG = saved;
    }
  });

  it('validates its options', () => {
    const base = { outputPath: join(work, 'v.mp4'), width: 64, height: 48, fps: 10 };
    expect(() => new AnnotatedVideoWriter({ ...base, width: 0 })).toThrow(/width must be a whole number/);
    expect(() => new AnnotatedVideoWriter({ ...base, fps: Number.NaN })).toThrow(/fps/);
    expect(() => new AnnotatedVideoWriter({ ...base, crf: 60 })).toThrow(/crf/);
    expect(() => new AnnotatedVideoWriter({ ...base, preset: 'warp' as 'fast' })).toThrow(/preset must be one of/);
  });

  it('abort kills ffmpeg, leaves no process and no half-written file', async () => {
    const outputPath = join(work, 'aborted.mp4');
    const writer = new AnnotatedVideoWriter({ outputPath, width: 64, height: 48, fps: 10 });
    await writer.writeFrame(Buffer.alloc(64 * 48 * 3));
    const pid = writer.pid!;
    expect(isRunning(pid)).toBe(true);
    await writer.abort();
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(outputPath)).toBe(false);
    await expect(writer.writeFrame(Buffer.alloc(64 * 48 * 3))).rejects.toMatchObject({ code: 'writer-closed' });
    await writer.abort(); // a second abort is harmless
  });

  it('abort during a write fails that write as aborted', async () => {
    const writer = new AnnotatedVideoWriter({ outputPath: join(work, 'aborted-mid-write.mp4'), width: 1280, height: 720, fps: 10 });
    // A 2.7 MB frame cannot fit in the pipe at once, so the write is still pending when abort comes.
    const pending = writer.writeFrame(Buffer.alloc(1280 * 720 * 3));
    // Observe the rejection before aborting: it happens during abort().
    const outcome = expect(pending).rejects.toMatchObject({ code: 'writer-closed', message: expect.stringMatching(/aborted/) });
    await writer.abort();
    await outcome;
    await expect(writer.close()).rejects.toMatchObject({ code: 'writer-closed' });
  });

  it('kills ffmpeg when the parent process exits without closing', async () => {
    const fixture = join(here, 'fixtures', 'exit-while-encoding.ts');
    const outputPath = join(work, 'orphan.mp4');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, outputPath], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(0);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    expect(await waitUntilGone(pid, 2000)).toBe(true);
    // Killed rather than left to finish on end-of-input: the MP4 never got its index.
    await expect(probe(outputPath)).rejects.toThrow();
  });
});
