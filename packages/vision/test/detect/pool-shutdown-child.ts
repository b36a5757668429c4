// Child process for pool-shutdown.test.ts: stops an inference pool while onnxruntime is inside session.run, the
// way tests and the edge agent do (close(), a simulated worker crash, process.exit()). Before the pool waited for
// native calls, this aborted the whole process with "terminate called after throwing an instance of 'Napi::Error'".
// Usage: pool-shutdown-child.ts <model dir> <close|close-no-grace|kill|exit> <rounds>
import { fitGeometry, type Frame } from '../../src/frame.js';
import { InferencePool } from '../../src/detect/inference-pool.js';
import { loadModelPackage } from '../../src/detect/model-package.js';
import { resolveClassThresholds } from '../../src/detect/thresholds.js';

const [modelDir, mode, roundsArg] = process.argv.slice(2);
if (!modelDir || !mode) throw new Error('usage: pool-shutdown-child.ts <model dir> <mode> <rounds>');
const rounds = Number(roundsArg ?? 3);
const model = loadModelPackage(modelDir);
const size = model.manifest.input.width;

function frame(): Frame {
  return {
    index: 0, pts: 0, data: Buffer.alloc(size * size * 3), pixelFormat: 'rgb24', width: size, height: size,
    sourceWidth: size, sourceHeight: size, geometry: fitGeometry(size, size, size, size, 'letterbox'),
  };
}

/** Resolves once a worker is inside (or one event-loop turn from) session.run. */
async function untilRunning(pool: InferencePool): Promise<void> {
  const start = Date.now();
  while (pool.nativeCallsInProgress === 0) {
    if (Date.now() - start > 10_000) throw new Error('no inference started');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let stoppedMidRun = 0;
for (let round = 0; round < rounds; round++) {
  const pool = await InferencePool.create({
    modelPath: model.modelPath, manifest: model.manifest, workers: 2, threadsPerWorker: 1, executionProviders: ['cpu'],
    thresholds: resolveClassThresholds(model.manifest), maxQueuePerCamera: 10, overflow: 'drop-oldest',
    transferFrameBuffers: false, closeGraceMs: mode === 'close-no-grace' ? 0 : undefined,
  });
  const jobs = Array.from({ length: 4 }, (_, i) => pool.detect(frame(), `cam${i % 2}`).then(() => 'done', (err: Error) => err.message));
  await untilRunning(pool);
  // Stop a few milliseconds into the run: the 640 px model runs for tens of milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 5));
  if (pool.nativeCallsInProgress > 0) stoppedMidRun++;
  if (mode === 'exit') {
    console.log(`stopped mid-run ${stoppedMidRun}`);
    process.exit(0);
  }
  if (mode === 'kill') await pool.killWorkerForTesting(0);
  await pool.close();
  if (pool.threadIds.some((id) => id !== -1)) throw new Error(`threads left after close: ${pool.threadIds.join(', ')}`);
  await Promise.all(jobs);
}
console.log(`stopped mid-run ${stoppedMidRun}`);
