/**
 * Worker-thread entry: one onnxruntime session, pre-processing, decode and NMS, so the main thread only
 * moves pixels and results. `session.run` blocks this thread, which is the point of running it here.
 *
 * The pool never terminates this thread from outside while onnxruntime may be in native code (see
 * native-call-guard.ts): it sends `close`, and the worker finishes its job, releases the session and exits.
 */
import ort from 'onnxruntime-node';
import type { Detection } from '@sightline/protocol';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { DetectorError, ModelError } from './errors.js';
import type { OutputTensor } from './decode-types.js';
import { NativeCallGuard, NativeCallsHalted } from './native-call-guard.js';
import { Postprocessor } from './postprocess.js';
import { inputTensorDims, inputTensorLength, preprocessPixels } from './preprocess.js';
import { loadSession, type LoadedSession } from './session.js';
import type { DetectRequest, InferRequest, JobRequest, WorkerConfig, WorkerReply, WorkerRequest } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');
const config = workerData as WorkerConfig;
const guard = new NativeCallGuard(config.control);

/** Set once the pool asked this worker to end; a simulated crash sends no more replies. */
let stopping: 'close' | 'crash-for-testing' | undefined;
let stopped: Promise<void> | undefined;
/** Jobs started and not yet answered; they never reject (errors are replies). */
const running = new Set<Promise<void>>();
const reply = (msg: WorkerReply) => {
  if (stopping !== 'crash-for-testing') port.postMessage(msg);
};

const input = config.manifest.input;
const inputData = new Float32Array(inputTensorLength(input));
const inputTensor = new ort.Tensor('float32', inputData, inputTensorDims(input));
const postprocessor = new Postprocessor(config.manifest, {
  thresholds: config.thresholds,
  maxDetections: config.maxDetections,
});

let loaded: LoadedSession | undefined;
const loading = guard.run(() =>
  loadSession(config.modelPath, config.manifest, {
    intraOpThreads: config.intraOpThreads,
    executionProviders: config.executionProviders,
  }),
);

// Listen before the session is loaded: the pool may ask this worker to close while it is still loading.
port.on('message', (req: WorkerRequest) => {
  if (req.type === 'close' || req.type === 'crash-for-testing') {
    stop(req.type);
    return;
  }
  const job = runJob(req);
  running.add(job);
  void job.then(() => running.delete(job));
});

try {
  loaded = await loading;
  if (!stopping) reply({ type: 'ready', providers: loaded.providers, warnings: loaded.warnings });
} catch (err) {
  if (!stopping && !(err instanceof NativeCallsHalted)) {
    const code = err instanceof ModelError ? err.code : 'model-load-failed';
    reply({ type: 'init-error', code, message: (err as Error).message });
  }
  process.exit(0);
}

/** Ends this thread from the inside, once no onnxruntime call is running: nothing native is interrupted. */
function stop(kind: 'close' | 'crash-for-testing'): void {
  stopping ??= kind;
  stopped ??= (async () => {
    await loading.catch(() => undefined);
    await Promise.all(running);
    if (stopping === 'close' && loaded) {
      const session = loaded.session;
      await guard.run(() => session.release()).catch(() => undefined);
    }
    process.exit(stopping === 'close' ? 0 : 1);
  })();
}

async function runJob(req: JobRequest): Promise<void> {
  try {
    if (stopping || !loaded) throw new DetectorError('closed', 'detector is closing');
    if (req.type === 'detect') await detect(loaded, req);
    else await infer(loaded, req);
  } catch (err) {
    const code = err instanceof DetectorError ? err.code : err instanceof NativeCallsHalted ? 'closed' : 'inference-failed';
    reply({ type: 'job-error', jobId: req.jobId, code, message: (err as Error).message });
  }
}

/** Runs the model and collects the outputs the decoder reads, by role. Other outputs (landmarks) are not fetched. */
async function runModel(loaded: LoadedSession, tensor: ort.Tensor): Promise<{ outputs: Record<string, ort.Tensor>; ms: number }> {
  const t0 = performance.now();
  const results = await guard.run(() =>
    loaded.session.run(
      { [loaded.inputName]: tensor },
      loaded.outputs.map((o) => o.name),
    ),
  );
  const ms = performance.now() - t0;
  const outputs: Record<string, ort.Tensor> = {};
  try {
    for (const { role, name } of loaded.outputs) {
      const output = results[name];
      if (!output || output.type !== 'float32') throw new DetectorError('inference-failed', `output "${name}" is not float32`);
      outputs[role] = output;
    }
  } catch (err) {
    disposeAll(results);
    throw err;
  }
  return { outputs, ms };
}

function disposeAll(tensors: Record<string, ort.Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

async function detect(loaded: LoadedSession, req: DetectRequest): Promise<void> {
  const t0 = performance.now();
  const pixels = new Uint8Array(req.pixels, req.byteOffset, req.byteLength);
  preprocessPixels({ data: pixels, width: req.width, height: req.height, pixelFormat: req.pixelFormat }, input, inputData);
  const t1 = performance.now();
  const { outputs, ms } = await runModel(loaded, inputTensor);
  const t2 = performance.now();
  let detections: Detection[];
  try {
    const views: Record<string, OutputTensor> = {};
    for (const [role, t] of Object.entries(outputs)) views[role] = { data: t.data as Float32Array, dims: t.dims };
    detections = postprocessor.run(views, {
      geometry: req.geometry,
      sourceWidth: req.sourceWidth,
      sourceHeight: req.sourceHeight,
    });
  } finally {
    disposeAll(outputs);
  }
  reply({
    type: 'detections',
    jobId: req.jobId,
    detections,
    timing: { preprocessMs: t1 - t0, inferenceMs: ms, postprocessMs: performance.now() - t2 },
  });
}

async function infer(loaded: LoadedSession, req: InferRequest): Promise<void> {
  if (req.length !== inputData.length) {
    throw new DetectorError('frame-mismatch', `tensor has ${req.length} values, the model needs ${inputData.length}`);
  }
  // onnxruntime-node rejects SharedArrayBuffer-backed tensors, so copy into this worker's own input (about 0.1 ms).
  inputData.set(new Float32Array(req.tensor, req.byteOffset, req.length));
  const { outputs, ms } = await runModel(loaded, inputTensor);
  // The first output the decoder reads stands for the model (the only one for single-output families).
  const outputDims = [...outputs[loaded.outputs[0]!.role]!.dims];
  disposeAll(outputs);
  reply({ type: 'inferred', jobId: req.jobId, outputDims, timing: { preprocessMs: 0, inferenceMs: ms, postprocessMs: 0 } });
}

