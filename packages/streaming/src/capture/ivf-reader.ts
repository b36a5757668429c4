/** What an IVF file header says about its stream. */
export interface IvfHeader {
  /** 'VP80', 'VP90', 'AV01'. */
  fourcc: string;
  width: number;
  height: number;
  /** Timestamps count in units of timebaseNum / timebaseDen seconds. */
  timebaseDen: number;
  timebaseNum: number;
}

export interface IvfFrame {
  /** The frame's timestamp in the header's time base, as written (a 64-bit unsigned count). */
  pts: number;
  data: Buffer;
}

export interface IvfReaderHandlers {
  header?(header: IvfHeader): void;
  frame(frame: IvfFrame): void;
  /** The stream is not IVF (bad signature or sizes); nothing more is read. */
  error?(error: Error): void;
}

const FILE_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 12;
/** A frame larger than this is taken as corruption, not waited for. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * An IVF byte stream (as ffmpeg's `-f ivf` writes it to a pipe) read frame by frame: a 32-byte file header
 * ("DKIF", version, header size, fourcc, width, height, time base denominator and numerator, frame count, unused),
 * then for each frame a 12-byte header (size, 32-bit LE; pts, 64-bit LE) and the frame. Each frame is handed over
 * the moment its last byte arrives: IVF has no lookahead, which makes it the lowest-latency container for VP8.
 */
export class IvfReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #header: IvfHeader | undefined;
  #failed = false;
  /** Bytes of an oversized file header still to skip. */
  #skip = 0;

  constructor(private readonly handlers: IvfReaderHandlers) {}

  get header(): IvfHeader | undefined {
    return this.#header;
  }

  push(chunk: Buffer): void {
    if (this.#failed || chunk.length === 0) return;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    for (;;) {
      if (this.#header === undefined) {
        if (this.#pendingBytes < FILE_HEADER_BYTES) return;
        const bytes = this.#take(FILE_HEADER_BYTES);
        const headerSize = bytes.readUInt16LE(6);
        if (bytes.toString('latin1', 0, 4) !== 'DKIF' || headerSize < FILE_HEADER_BYTES) return this.#fail('not an IVF stream');
        this.#header = {
          fourcc: bytes.toString('latin1', 8, 12),
          width: bytes.readUInt16LE(12),
          height: bytes.readUInt16LE(14),
          timebaseDen: bytes.readUInt32LE(16),
          timebaseNum: bytes.readUInt32LE(20),
        };
        // A longer header (never seen) is skipped once it has arrived.
        if (headerSize > FILE_HEADER_BYTES) this.#skip = headerSize - FILE_HEADER_BYTES;
        this.handlers.header?.(this.#header);
        continue;
      }
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, this.#pendingBytes);
        if (n === 0) return;
        this.#take(n);
        this.#skip -= n;
        continue;
      }
      if (this.#pendingBytes < FRAME_HEADER_BYTES) return;
      const head = this.#peek(FRAME_HEADER_BYTES);
      const size = head.readUInt32LE(0);
      if (size > MAX_FRAME_BYTES) return this.#fail(`IVF frame of ${size} bytes`);
      if (this.#pendingBytes < FRAME_HEADER_BYTES + size) return;
      this.#take(FRAME_HEADER_BYTES);
      const pts = Number(head.readBigUInt64LE(4));
      this.handlers.frame({ pts, data: this.#take(size) });
    }
  }

  #fail(message: string): void {
    this.#failed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.handlers.error?.(new Error(message));
  }

  /** The first `n` bytes (n ≤ pending), without consuming them. */
  #peek(n: number): Buffer {
    const first = this.#pending[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.#pending);
    this.#pending = [joined];
    return joined.subarray(0, n);
  }

  /** Consume the first `n` bytes (n ≤ pending). A frame that sits inside one chunk is not copied. */
  #take(n: number): Buffer {
    this.#pendingBytes -= n;
    const first = this.#pending[0]!;
    if (first.length === n) {
      this.#pending.shift();
      return first;
    }
    if (first.length > n) {
      this.#pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const parts: Buffer[] = [];
    let needed = n;
    while (needed > 0) {
      const chunk = this.#pending[0]!;
      if (chunk.length <= needed) {
        parts.push(chunk);
        this.#pending.shift();
        needed -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, needed));
        this.#pending[0] = chunk.subarray(needed);
        needed = 0;
      }
    }
    return Buffer.concat(parts, n);
  }
}
