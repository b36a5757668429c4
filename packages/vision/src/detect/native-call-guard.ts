/**
 * Keeps worker threads from being stopped while onnxruntime-node is inside a native call.
 *
 * `session.run` (and session creation and release) run synchronously in native code and cannot be interrupted.
 * If the worker is terminated meanwhile (`worker.terminate()`, or the process exiting, which terminates every
 * worker), the call returns into an isolate that is shutting down: the binding cannot build its result, throws a
 * C++ `Napi::Error`, cannot hand it to JavaScript either, and the C++ runtime aborts the whole process with
 * "terminate called after throwing an instance of 'Napi::Error'".
 *
 * So a pool and each of its workers share two Int32 cells: how many native calls the worker has in progress, and
 * a "halt" flag. The worker counts a call before it checks the flag, and the pool sets the flag before it reads
 * the count (both sequentially consistent), so once the pool has set the flag and seen the count at zero, the
 * worker cannot enter native code again and stopping it is safe.
 */

const NATIVE_CALLS = 0;
const HALT = 1;

/** The shared cells, passed to the worker in its workerData. */
export function createNativeCallControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

/** Thrown in the worker by a call attempted after the pool halted native calls. */
export class NativeCallsHalted extends Error {
  override readonly name = 'NativeCallsHalted';
  constructor() {
    super('onnxruntime calls are halted: the worker is being stopped');
  }
}

/** Worker side: wrap every onnxruntime call that may run native code. */
export class NativeCallGuard {
  private readonly cells: Int32Array;

  constructor(control: SharedArrayBuffer) {
    this.cells = new Int32Array(control);
  }

  get halted(): boolean {
    return Atomics.load(this.cells, HALT) !== 0;
  }

  async run<T>(call: () => Promise<T> | T): Promise<T> {
    Atomics.add(this.cells, NATIVE_CALLS, 1);
    try {
      if (Atomics.load(this.cells, HALT) !== 0) throw new NativeCallsHalted();
      return await call();
    } finally {
      Atomics.sub(this.cells, NATIVE_CALLS, 1);
      Atomics.notify(this.cells, NATIVE_CALLS);
    }
  }
}

/** Pool side: no native call may start after this; one already started still runs to its end. */
export function haltNativeCalls(control: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(control), HALT, 1);
}

export function nativeCallsInProgress(control: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(control), NATIVE_CALLS);
}

/**
 * Pool side, blocking (for `process.on('exit')`, where nothing asynchronous runs any more): halts native calls and
 * waits until `deadline` (a Date.now() time) for the ones in progress to end. True when none is left.
 */
export function haltAndWaitSync(control: SharedArrayBuffer, deadline: number): boolean {
  const cells = new Int32Array(control);
  Atomics.store(cells, HALT, 1);
  for (let n = Atomics.load(cells, NATIVE_CALLS); n !== 0; n = Atomics.load(cells, NATIVE_CALLS)) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(cells, NATIVE_CALLS, n, left);
  }
  return true;
}

/** Pool side, asynchronous: halts native calls and resolves once none is in progress. */
export async function haltAndWait(control: SharedArrayBuffer, pollMs = 5): Promise<void> {
  haltNativeCalls(control);
  while (nativeCallsInProgress(control) !== 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
