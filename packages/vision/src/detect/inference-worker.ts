/**
 * Worker-thread entry: one onnxruntime session, pre-processing, decode and NMS, so the main thread only
 * moves pixels and results. `session.run` blocks this thread, which is the point of running it here.
 */
import ort from 'onnxruntime-node';
import type { Detection } from '@sightline/protocol';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { DetectorError, ModelError } from './errors.js';
import type { OutputTensor } from './decode-types.js';
import { Postprocessor } from './postprocess.js';
import { inputTensorDims, inputTensorLength, preprocessPixels } from './preprocess.js';
import { loadSession, type LoadedSession } from './session.js';
import type { DetectRequest, InferRequest, WorkerConfig, WorkerReply, WorkerRequest } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');
const config = workerData as WorkerConfig;
const reply = (msg: WorkerReply) => port.postMessage(msg);

const input = config.manifest.input;
const inputData = new Float32Array(inputTensorLength(input));
const inputTensor = new ort.Tensor('float32', inputData, inputTensorDims(input));
const postprocessor = new Postprocessor(config.manifest, {
  thresholds: config.thresholds,
  maxDetections: config.maxDetections,
});

let loaded: LoadedSession;
try {
  loaded = await loadSession(config.modelPath, config.manifest, {
    intraOpThreads: config.intraOpThreads,
    executionProviders: config.executionProviders,
  });
  reply({ type: 'ready', providers: loaded.providers, warnings: loaded.warnings });
} catch (err) {
  const code = err instanceof ModelError ? err.code : 'model-load-failed';
  reply({ type: 'init-error', code, message: (err as Error).message });
  process.exit(0);
}

/** Runs the model and collects the outputs the decoder reads, by role. Other outputs (landmarks) are not fetched. */
async function runModel(tensor: ort.Tensor): Promise<{ outputs: Record<string, ort.Tensor>; ms: number }> {
  const t0 = performance.now();
  const results = await loaded.session.run(
    { [loaded.inputName]: tensor },
    loaded.outputs.map((o) => o.name),
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

async function detect(req: DetectRequest): Promise<void> {
  const t0 = performance.now();
  const pixels = new Uint8Array(req.pixels, req.byteOffset, req.byteLength);
  preprocessPixels({ data: pixels, width: req.width, height: req.height, pixelFormat: req.pixelFormat }, input, inputData);
  const t1 = performance.now();
  const { outputs, ms } = await runModel(inputTensor);
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

async function infer(req: InferRequest): Promise<void> {
  if (req.length !== inputData.length) {
    throw new DetectorError('frame-mismatch', `tensor has ${req.length} values, the model needs ${inputData.length}`);
  }
  // onnxruntime-node rejects SharedArrayBuffer-backed tensors, so copy into this worker's own input (about 0.1 ms).
  inputData.set(new Float32Array(req.tensor, req.byteOffset, req.length));
  const { outputs, ms } = await runModel(inputTensor);
  // The first output the decoder reads stands for the model (the only one for single-output families).
  const outputDims = [...outputs[loaded.outputs[0]!.role]!.dims];
  disposeAll(outputs);
  reply({ type: 'inferred', jobId: req.jobId, outputDims, timing: { preprocessMs: 0, inferenceMs: ms, postprocessMs: 0 } });
}

port.on('message', (req: WorkerRequest) => {
  const job = req.type === 'detect' ? detect(req) : infer(req);
  job.catch((err: unknown) => {
    const code = err instanceof DetectorError ? err.code : 'inference-failed';
    reply({ type: 'job-error', jobId: req.jobId, code, message: (err as Error).message });
  });
});
