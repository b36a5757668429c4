import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { concatScript, type ClipPart } from './clip-plan.js';
import { runFfmpeg } from './ffmpeg-job.js';

export interface ClipExporterOptions {
  /** Where finished clips are cached (inside the hub's data dir). */
  dir: string;
  /** A clip nobody asked for this long is deleted. A <video> element asks again for every seek (Range requests). */
  idleMs?: number;
  /** Exports running at once; the rest wait (ffmpeg copies, but reads and writes whole files). */
  concurrency?: number;
  ffmpegPath?: string;
  timeoutMs?: number;
}

/**
 * Assembles one MP4 from parts of segments with ffmpeg's concat demuxer and stream copy (no transcoding), with the
 * index at the front (`+faststart`) so a browser can start playing and seek at once. Finished clips are cached by
 * their exact parts, so the many Range requests of one player (and a second viewer) reuse one file; identical
 * requests in flight share one ffmpeg.
 */
export class ClipExporter {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private sweeper?: NodeJS.Timeout;
  private readonly idleMs: number;

  constructor(private readonly options: ClipExporterOptions) {
    this.idleMs = options.idleMs ?? 10 * 60_000;
  }

  /** Clears clips left from a previous run and starts the idle sweep. */
  async start(): Promise<void> {
    await rm(this.options.dir, { recursive: true, force: true });
    await mkdir(this.options.dir, { recursive: true });
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), Math.min(this.idleMs, 60_000));
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** The path of the clip made of `parts` (built now or cached); `exported` is true when this call built it. */
  async export(parts: readonly ClipPart[]): Promise<{ path: string; exported: boolean }> {
    const key = createHash('sha256').update(concatScript(parts)).digest('hex').slice(0, 32);
    const path = join(this.options.dir, `${key}.mp4`);
    if (await touch(path)) return { path, exported: false };
    let pending = this.inFlight.get(key);
    let exported = false;
    if (!pending) {
      exported = true;
      pending = this.build(parts, key, path).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return { path: await pending, exported };
  }

  /** Deletes clips idle for longer than idleMs. */
  async sweep(now = Date.now()): Promise<void> {
    for (const name of await readdir(this.options.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.mp4')) continue;
      const path = join(this.options.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > this.idleMs) await rm(path, { force: true });
    }
  }

  private async build(parts: readonly ClipPart[], key: string, path: string): Promise<string> {
    await this.acquire();
    const tmp = join(this.options.dir, `${key}.${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(this.options.dir, { recursive: true });
      await writeFile(`${tmp}.ffconcat`, concatScript(parts));
      await runFfmpeg(
        [
          '-hide_banner', '-nostdin', '-loglevel', 'error',
          '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file',
          '-i', `${tmp}.ffconcat`,
          '-map', '0:v:0', '-c', 'copy',
          '-movflags', '+faststart',
          '-f', 'mp4', `${tmp}.mp4`,
        ],
        { ffmpegPath: this.options.ffmpegPath, timeoutMs: this.options.timeoutMs ?? 120_000 },
      );
      await rename(`${tmp}.mp4`, path);
      return path;
    } finally {
      await rm(`${tmp}.ffconcat`, { force: true });
      await rm(`${tmp}.mp4`, { force: true });
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.running < (this.options.concurrency ?? 2)) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** Marks a cached clip as used now; false when there is none. */
async function touch(path: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(path, now, now);
    return true;
  } catch {
    return false;
  }
}
