import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { looksLikeMp4, MP4_SNIFF_BYTES } from './mp4-signature.js';

/** Why an uploaded body was refused; the route turns these into 400/413 answers. */
export class SegmentBodyError extends Error {
  constructor(
    readonly reason: 'too_large' | 'not_mp4' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'SegmentBodyError';
  }
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\.mp4$/;
const INCOMING = '.incoming';

/**
 * Recording segment files under one directory of the hub's data dir: `<cameraId>/<UTC day>/<segment id>.mp4`. Uploads
 * are written to `.incoming/` and renamed into place only when complete and checked, so a reader (or a crash) never
 * finds half a segment under a real name.
 */
export class SegmentFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  keyFor(cameraId: string, segmentId: string, startedAt: number): string {
    const day = new Date(startedAt).toISOString().slice(0, 10);
    const key = `${cameraId}/${day}/${segmentId.toLowerCase()}.mp4`;
    this.assertKey(key);
    return key;
  }

  /** The absolute path of a key; throws for anything that is not a key this class made (no way out of the root). */
  pathOf(key: string): string {
    this.assertKey(key);
    const path = join(this.root, ...key.split('/'));
    const inside = relative(this.root, path);
    if (inside.startsWith('..') || inside.startsWith(sep)) throw new Error(`segment key "${key}" leaves the recordings directory`);
    return path;
  }

  /** Removes what interrupted uploads left behind (called at start, before any upload runs). */
  async cleanIncoming(): Promise<void> {
    await rm(join(this.root, INCOMING), { recursive: true, force: true });
  }

  /**
   * Streams `body` to a temporary file, refusing it past `maxBytes` or when it does not start like an MP4, flushes it
   * to disk and renames it to `key`. Returns the bytes written. On any failure nothing is left behind.
   */
  async write(key: string, body: Readable, maxBytes: number): Promise<number> {
    const target = this.pathOf(key);
    const incoming = join(this.root, INCOMING);
    await mkdir(incoming, { recursive: true });
    const tmp = join(incoming, `${randomBytes(8).toString('hex')}.part`);
    const gate = new UploadGate(maxBytes);
    try {
      await pipeline(body, gate, createWriteStream(tmp, { flags: 'wx' }));
      gate.finalCheck();
      // Durable before the database row says it exists.
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
      return gate.bytes;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch {
      return undefined;
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.pathOf(key), { force: true })));
  }

  private assertKey(key: string): void {
    if (!KEY_PATTERN.test(key) || key.includes('..')) throw new Error(`invalid segment key "${key}"`);
  }
}

/** Counts bytes, stops past the limit, and checks the first bytes for an MP4 `ftyp` box as they go by. */
class UploadGate extends Transform {
  bytes = 0;
  private head = Buffer.alloc(0);
  private checked = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new SegmentBodyError('too_large', `the segment is larger than ${this.maxBytes} bytes`));
      return;
    }
    if (!this.checked) {
      this.head = Buffer.concat([this.head, chunk]).subarray(0, MP4_SNIFF_BYTES);
      if (this.head.length >= MP4_SNIFF_BYTES) {
        this.checked = true;
        if (!looksLikeMp4(this.head)) {
          callback(new SegmentBodyError('not_mp4', 'the body is not an MP4 segment: it must start with an ftyp box'));
          return;
        }
      }
    }
    callback(null, chunk);
  }

  /** A body shorter than the signature never reached the check in _transform. */
  finalCheck(): void {
    if (this.bytes === 0) throw new SegmentBodyError('empty', 'the body is empty: send the segment as video/mp4');
    if (!this.checked && !looksLikeMp4(this.head)) {
      throw new SegmentBodyError('not_mp4', 'the body is not an MP4 segment: it must start with an ftyp box');
    }
  }
}
