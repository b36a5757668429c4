import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Detection, ModelManifest } from '@sightline/protocol';
import type { Frame } from '../frame.js';
import { SharedBufferPool } from './buffer-pool.js';
import { DetectorError, ModelError, type ModelErrorCode } from './errors.js';
import { FairQueue } from './fair-queue.js';
import { createNativeCallControl, haltAndWait, haltAndWaitSync, nativeCallsInProgress } from './native-call-guard.js';
import type { ExecutionProvider } from './session.js';
import { SampleWindow, type TimingSummary } from './timing-stats.js';
import type { JobRequest, JobTiming, WorkerConfig, WorkerReply, WorkerRequest } from './worker-messages.js';

export type QueueOverflow = 'drop-oldest' | 'reject';

export interface InferencePoolOptions {
  modelPath: string;
  manifest: ModelManifest;
  workers: number;
  threadsPerWorker: number;
  executionProviders: ExecutionProvider[];
  thresholds: Float32Array;
  maxDetections?: number;
  /** Pending frames allowed per camera (not counting the ones running). */
  maxQueuePerCamera: number;
  /** What a full camera queue does with a new frame: drop that camera's oldest pending frame, or refuse the new one. */
  overflow: QueueOverflow;
  /**
   * Hand the frame's ArrayBuffer to the worker instead of copying it, when the Buffer spans the whole
   * ArrayBuffer. Saves a copy; the caller's frame.data is unusable afterwards.
   */
  transferFrameBuffers: boolean;
  /**
   * How long close() lets a worker finish its frame, release its session and exit by itself before stopping it
   * from outside. Even then a worker is stopped only between onnxruntime calls, never during one (see
   * native-call-guard.ts), so close() can take up to this plus the end of a run. Default 5000 ms.
   */
  closeGraceMs?: number;
}

export interface InferResult {
  inferenceMs: number;
  outputDims: number[];
}

export interface WorkerStats {
  index: number;
  frames: number;
  busy: boolean;
  providers: ExecutionProvider[];
}

export interface PoolStats {
  workers: WorkerStats[];
  /** Time inside session.run. */
  inferenceMs: TimingSummary;
  /** Time from detect() to a worker taking the frame. */
  queueWaitMs: TimingSummary;
  preprocessMs: TimingSummary;
  postprocessMs: TimingSummary;
  completed: number;
  queued: number;
  /** Frames dropped (drop-oldest) or refused (reject) because a camera's queue was full, by camera. */
  dropped: Record<string, number>;
  workerCrashes: number;
}

interface Job {
  id: number;
  cameraId: string;
  request: JobRequest;
  transfer: ArrayBuffer[];
  shared?: SharedArrayBuffer;
  enqueuedAt: number;
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
}

interface WorkerSlot {
  index: number;
  worker: Worker;
  /** Shared with the worker: its native calls in progress, and the flag that halts them (native-call-guard.ts). */
  control: SharedArrayBuffer;
  /** Resolves with the exit code once the thread has ended. */
  exited: Promise<number>;
  ready: boolean;
  job?: Job;
  frames: number;
  providers: ExecutionProvider[];
  lastError?: Error;
}

/**
 * Where the worker entry lives: the compiled sibling .js normally; under vitest/tsx (this file is .ts) the .ts
 * source, loaded through a tiny bootstrap that registers tsx inside the worker, because Node 20 does not
 * apply `--import tsx` from a Worker's execArgv.
 */
function workerEntry(): { entry: string | URL; evalCode: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./inference-worker.js', import.meta.url), evalCode: false };
  const tsxApi = tsxEsmApiUrl();
  const source = new URL('./inference-worker.ts', import.meta.url).href;
  const bootstrap =
    `import(${JSON.stringify(tsxApi)}).then((m) => { (m.register ?? m.default.register)(); ` +
    `return import(${JSON.stringify(source)}); });`;
  return { entry: bootstrap, evalCode: true };
}

/** tsx's ESM register API (its CJS twin cannot be imported from ESM); bare specifier as a last resort. */
function tsxEsmApiUrl(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
    const esm = join(dirname(pkg), 'dist/esm/api/index.mjs');
    if (existsSync(esm)) return pathToFileURL(esm).href;
  } catch {
    // fall through
  }
  return 'tsx/esm/api';
}

/**
 * N worker threads, each with its own onnxruntime session. Frames queue per camera and are served
 * round-robin across cameras; a crashed worker fails only its own job and is replaced.
 */
export class InferencePool {
  private readonly slots: WorkerSlot[] = [];
  private readonly queue: FairQueue<Job>;
  private readonly buffers = new SharedBufferPool();
  private readonly inference = new SampleWindow();
  private readonly queueWait = new SampleWindow();
  private readonly preprocess = new SampleWindow();
  private readonly postprocess = new SampleWindow();
  private readonly dropped: Record<string, number> = {};
  private closing: Promise<void> = Promise.resolve();
  private nextJobId = 1;
  private completed = 0;
  private crashes = 0;
  private closed = false;
  /** Warnings from workers' session creation (e.g. a GPU provider fell back to CPU), deduplicated. */
  readonly warnings: string[] = [];

  private constructor(private readonly opts: InferencePoolOptions) {
    this.queue = new FairQueue<Job>(opts.maxQueuePerCamera);
  }

  /** Start the workers and wait until every session is loaded; a model that cannot load throws ModelError. */
  static async create(opts: InferencePoolOptions): Promise<InferencePool> {
    if (!(opts.workers >= 1)) throw new RangeError(`workers must be at least 1, got ${opts.workers}`);
    const pool = new InferencePool(opts);
    try {
      await Promise.all(Array.from({ length: opts.workers }, (_, i) => pool.startWorker(i)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get providers(): ExecutionProvider[] {
    return this.slots[0]?.providers ?? [];
  }

  /** Worker thread ids, for checking that close() leaves none behind. */
  get threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  /** onnxruntime calls (session load, run, release) in progress in the worker threads now; for tests and diagnostics. */
  get nativeCallsInProgress(): number {
    return this.slots.reduce((sum, slot) => sum + nativeCallsInProgress(slot.control), 0);
  }

  detect(frame: Frame, cameraId = 'default'): Promise<Detection[]> {
    const data = frame.data;
    let pixels: SharedArrayBuffer | ArrayBuffer;
    let shared: SharedArrayBuffer | undefined;
    const transfer: ArrayBuffer[] = [];
    let byteOffset = 0;
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    if (this.opts.transferFrameBuffers && whole && data.buffer instanceof ArrayBuffer) {
      pixels = data.buffer;
      transfer.push(data.buffer);
    } else if (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) {
      pixels = data.buffer;
      byteOffset = data.byteOffset;
    } else {
      pixels = shared = this.buffers.copyIn(data);
    }
    return this.submit(
      cameraId,
      {
        type: 'detect',
        jobId: 0,
        pixels,
        byteOffset,
        byteLength: data.byteLength,
        width: frame.width,
        height: frame.height,
        pixelFormat: frame.pixelFormat,
        geometry: frame.geometry,
        sourceWidth: frame.sourceWidth,
        sourceHeight: frame.sourceHeight,
      },
      transfer,
      shared,
    ).then((reply) => (reply.type === 'detections' ? reply.detections : []));
  }

  /** Run the model on a prepared tensor; nothing is decoded. A SharedArrayBuffer-backed tensor is not copied. */
  infer(tensor: Float32Array, cameraId = 'default'): Promise<InferResult> {
    let buf: SharedArrayBuffer;
    let shared: SharedArrayBuffer | undefined;
    let byteOffset = 0;
    if (typeof SharedArrayBuffer !== 'undefined' && tensor.buffer instanceof SharedArrayBuffer) {
      buf = tensor.buffer;
      byteOffset = tensor.byteOffset;
    } else {
      buf = shared = this.buffers.copyIn(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength));
    }
    return this.submit(
      cameraId,
      { type: 'infer', jobId: 0, tensor: buf, byteOffset, length: tensor.length },
      [],
      shared,
    ).then((reply) =>
      reply.type === 'inferred' ? { inferenceMs: reply.timing.inferenceMs, outputDims: reply.outputDims } : { inferenceMs: 0, outputDims: [] },
    );
  }

  stats(): PoolStats {
    return {
      workers: this.slots.map((s) => ({ index: s.index, frames: s.frames, busy: s.job !== undefined, providers: s.providers })),
      inferenceMs: this.inference.summary(),
      queueWaitMs: this.queueWait.summary(),
      preprocessMs: this.preprocess.summary(),
      postprocessMs: this.postprocess.summary(),
      completed: this.completed,
      queued: this.queue.size,
      dropped: { ...this.dropped },
      workerCrashes: this.crashes,
    };
  }

  /**
   * Reject pending and running frames at once, then end every worker thread: each finishes the onnxruntime call
   * it is in, releases its session and exits. A worker is never terminated while a call is running (that aborts
   * the process, see native-call-guard.ts); one that has not exited after `closeGraceMs` is halted between calls
   * and terminated.
   */
  async close(): Promise<void> {
    if (this.closed) return this.closing;
    this.closed = true;
    for (const job of this.queue.drain()) this.fail(job, new DetectorError('closed', 'detector closed'));
    for (const slot of this.slots) {
      const job = slot.job;
      slot.job = undefined;
      if (job) this.fail(job, new DetectorError('closed', 'detector closed while the frame was running'));
    }
    this.closing = Promise.all(this.slots.map((slot) => this.stopWorker(slot))).then(() => undefined);
    return this.closing;
  }

  /**
   * Test hook: make one worker die as a crash would, to exercise recovery: it finishes the onnxruntime call it is
   * in without replying and exits with code 1, so its frame fails with 'worker-crashed' and it is replaced.
   */
  async killWorkerForTesting(index: number): Promise<void> {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`no worker ${index}`);
    slot.lastError = new Error('killed for testing');
    slot.worker.postMessage({ type: 'crash-for-testing' } satisfies WorkerRequest);
    await slot.exited;
  }

  private submit(cameraId: string, request: JobRequest, transfer: ArrayBuffer[], shared?: SharedArrayBuffer): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      const job: Job = { id: this.nextJobId++, cameraId, request, transfer, shared, enqueuedAt: performance.now(), resolve, reject };
      request.jobId = job.id;
      if (this.closed) return this.fail(job, new DetectorError('closed', 'detector is closed'));
      if (!this.slots.some((s) => s.ready)) return this.fail(job, new DetectorError('no-workers', 'no inference worker is running'));
      if (this.opts.overflow === 'reject' && this.queue.isFull(cameraId)) {
        this.countDrop(cameraId);
        return this.fail(job, new DetectorError('queue-full', `camera "${cameraId}" already has ${this.opts.maxQueuePerCamera} frames waiting`));
      }
      const evicted = this.queue.push(cameraId, job);
      if (evicted) {
        this.countDrop(cameraId);
        this.fail(evicted, new DetectorError('frame-dropped', `camera "${cameraId}" fell behind; its oldest waiting frame was dropped`));
      }
      this.dispatch();
    });
  }

  private countDrop(cameraId: string): void {
    this.dropped[cameraId] = (this.dropped[cameraId] ?? 0) + 1;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      this.queueWait.add(performance.now() - job.enqueuedAt);
      slot.worker.postMessage(job.request, job.transfer);
    }
  }

  private startWorker(index: number): Promise<void> {
    const { entry, evalCode } = workerEntry();
    const config: WorkerConfig = {
      modelPath: this.opts.modelPath,
      manifest: this.opts.manifest,
      intraOpThreads: this.opts.threadsPerWorker,
      executionProviders: this.opts.executionProviders,
      thresholds: this.opts.thresholds,
      maxDetections: this.opts.maxDetections,
      control: createNativeCallControl(),
    };
    const worker = new Worker(entry, { workerData: config, eval: evalCode });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const slot: WorkerSlot = { index, worker, control: config.control, exited, ready: false, frames: 0, providers: [] };
    this.slots[index] = slot;
    liveWorkers.add(slot);
    void exited.then(() => liveWorkers.delete(slot));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      worker.on('message', (msg: WorkerReply) => {
        if (msg.type === 'ready') {
          slot.ready = true;
          slot.providers = msg.providers;
          for (const w of msg.warnings) if (!this.warnings.includes(w)) this.warnings.push(w);
          settled = true;
          resolve();
          this.dispatch();
        } else if (msg.type === 'init-error') {
          settled = true;
          reject(new ModelError(msg.code as ModelErrorCode, msg.message));
        } else {
          this.onReply(slot, msg);
        }
      });
      worker.on('error', (err) => {
        slot.lastError = err;
      });
      worker.on('exit', (code) => {
        slot.ready = false;
        if (!settled) {
          settled = true;
          reject(new ModelError('model-load-failed', `inference worker exited during start-up (${slot.lastError?.message ?? `exit code ${code}`})`));
          return;
        }
        if (this.closed || this.slots[index] !== slot) return;
        this.onWorkerDied(slot, code);
      });
    });
  }

  /** Asks a worker to end by itself; past the grace period, halts its native calls and terminates it between them. */
  private async stopWorker(slot: WorkerSlot): Promise<void> {
    slot.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((resolve) => {
      timer = setTimeout(() => resolve('grace-over'), this.opts.closeGraceMs ?? 5000);
    });
    const outcome = await Promise.race([slot.exited, graceOver]);
    clearTimeout(timer);
    if (outcome !== 'grace-over') return;
    // A run that never returns would keep terminate() from finishing anyway: the thread cannot stop inside it.
    await haltAndWait(slot.control);
    await slot.worker.terminate();
  }

  private onReply(slot: WorkerSlot, msg: Exclude<WorkerReply, { type: 'ready' | 'init-error' }>): void {
    const job = slot.job;
    if (!job || job.id !== msg.jobId) return;
    slot.job = undefined;
    if (msg.type === 'job-error') {
      this.fail(job, new DetectorError(msg.code, msg.message));
    } else {
      slot.frames++;
      this.completed++;
      this.record(msg.timing);
      this.release(job);
      job.resolve(msg);
    }
    this.dispatch();
  }

  private onWorkerDied(slot: WorkerSlot, exitCode: number): void {
    this.crashes++;
    const reason = slot.lastError?.message ?? `exit code ${exitCode}`;
    if (slot.job) {
      const job = slot.job;
      slot.job = undefined;
      this.fail(job, new DetectorError('worker-crashed', `inference worker ${slot.index} crashed while running this frame: ${reason}`));
    }
    this.startWorker(slot.index).catch((err: Error) => {
      // The model loaded before, so this is unusual; without any live worker, waiting frames can never run.
      if (this.slots.some((s) => s.ready) || this.closed) return;
      for (const job of this.queue.drain()) this.fail(job, new DetectorError('no-workers', `inference worker could not restart: ${err.message}`));
    });
  }

  private record(t: JobTiming): void {
    this.inference.add(t.inferenceMs);
    this.preprocess.add(t.preprocessMs);
    this.postprocess.add(t.postprocessMs);
  }

  private release(job: Job): void {
    if (job.shared) this.buffers.release(job.shared);
    job.shared = undefined;
  }

  private fail(job: Job, err: Error): void {
    this.release(job);
    job.reject(err);
  }
}

/**
 * Every worker thread still running, across pools. When the process exits (process.exit(), or an uncaught
 * exception), Node terminates worker threads right after the 'exit' event; one caught inside `session.run` would
 * abort the process (see native-call-guard.ts). So at 'exit' native calls are halted and the ones in progress are
 * waited for, up to EXIT_WAIT_MS in all, blocking: nothing asynchronous runs at that point.
 */
const liveWorkers = new Set<WorkerSlot>();
const EXIT_WAIT_MS = 10_000;

process.on('exit', () => {
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (const slot of liveWorkers) haltAndWaitSync(slot.control, deadline);
});
