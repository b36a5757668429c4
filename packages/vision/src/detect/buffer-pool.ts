/**
 * Reusable SharedArrayBuffers by size. Frames are copied into one so a worker reads them without a
 * second copy, and the caller's Buffer is never detached or shared.
 */
export class SharedBufferPool {
  private readonly free = new Map<number, SharedArrayBuffer[]>();

  constructor(private readonly maxFreePerSize = 8) {}

  acquire(byteLength: number): SharedArrayBuffer {
    return this.free.get(byteLength)?.pop() ?? new SharedArrayBuffer(byteLength);
  }

  release(buf: SharedArrayBuffer): void {
    let list = this.free.get(buf.byteLength);
    if (!list) this.free.set(buf.byteLength, (list = []));
    if (list.length < this.maxFreePerSize) list.push(buf);
  }

  /** Copy bytes into a pooled shared buffer. */
  copyIn(bytes: Uint8Array): SharedArrayBuffer {
    const buf = this.acquire(bytes.byteLength);
    new Uint8Array(buf).set(bytes);
    return buf;
  }
}
