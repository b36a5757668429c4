import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitGeometry, type Frame } from '../../src/frame.js';
import { createDetector } from '../../src/detect/detector.js';
import { DetectorError } from '../../src/detect/errors.js';
import { InferencePool } from '../../src/detect/inference-pool.js';
import { loadModelPackage } from '../../src/detect/model-package.js';
import { resolveClassThresholds } from '../../src/detect/thresholds.js';
import { writeTinyDetectorPackage } from '../../src/detect/testing/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'sightline-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = loadModelPackage(writeTinyDetectorPackage(join(tmp, 'tiny'), { inputSize: 128 }).dir);

function blankFrame(index = 0): Frame {
  return {
    index, pts: index, data: Buffer.alloc(128 * 128 * 3), pixelFormat: 'rgb24', width: 128, height: 128,
    sourceWidth: 128, sourceHeight: 128, geometry: fitGeometry(128, 128, 128, 128, 'letterbox'),
  };
}

function poolOptions(over: Partial<Parameters<typeof InferencePool.create>[0]> = {}) {
  return {
    modelPath: model.modelPath, manifest: model.manifest, workers: 1, threadsPerWorker: 1,
    executionProviders: ['cpu' as const], thresholds: resolveClassThresholds(model.manifest),
    maxQueuePerCamera: 100, overflow: 'drop-oldest' as const, transferFrameBuffers: false, ...over,
  };
}

describe('InferencePool', () => {
  it('serves cameras round-robin so a flooding camera does not starve another', async () => {
    const pool = await InferencePool.create(poolOptions());
    const order: string[] = [];
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) jobs.push(pool.detect(blankFrame(i), 'flood').then(() => order.push(`flood${i}`)));
    for (let i = 0; i < 3; i++) jobs.push(pool.detect(blankFrame(i), 'quiet').then(() => order.push(`quiet${i}`)));
    await Promise.all(jobs);
    await pool.close();
    // flood0 was already running; after that the two cameras alternate.
    expect(order.slice(0, 7)).toEqual(['flood0', 'flood1', 'quiet0', 'flood2', 'quiet1', 'flood3', 'quiet2']);
    expect(pool.stats().completed).toBe(13);
  });

  it('drops the oldest pending frame of a full camera queue, or rejects the new one', async () => {
    const pool = await InferencePool.create(poolOptions({ maxQueuePerCamera: 2 }));
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => pool.detect(blankFrame(i), 'cam')));
    // Frame 0 runs at once; 1..5 compete for two queue places, so 1, 2 and 3 are dropped.
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as DetectorError;
    expect(reason).toBeInstanceOf(DetectorError);
    expect(reason.code).toBe('frame-dropped');
    expect(pool.stats().dropped).toEqual({ cam: 3 });
    await pool.close();

    const rejecting = await InferencePool.create(poolOptions({ maxQueuePerCamera: 2, overflow: 'reject' }));
    const r2 = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => rejecting.detect(blankFrame(i), 'cam')));
    expect(r2.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(((r2[4] as PromiseRejectedResult).reason as DetectorError).code).toBe('queue-full');
    await rejecting.close();
  });

  it('rejects the in-flight frame of a crashed worker and replaces the worker', async () => {
    const pool = await InferencePool.create(poolOptions());
    const inFlight = pool.detect(blankFrame(0));
    const queued = pool.detect(blankFrame(1));
    await pool.killWorkerForTesting(0);
    await expect(inFlight).rejects.toMatchObject({ name: 'DetectorError', code: 'worker-crashed' });
    // The queued frame runs on the replacement worker.
    await expect(queued).resolves.toEqual([]);
    await expect(pool.detect(blankFrame(2))).resolves.toEqual([]);
    expect(pool.stats().workerCrashes).toBe(1);
    await pool.close();
  });

  it('close() rejects pending frames and terminates every worker thread', async () => {
    const pool = await InferencePool.create(poolOptions({ workers: 2 }));
    const ids = pool.threadIds;
    expect(ids).toHaveLength(2);
    const pending = Promise.allSettled(Array.from({ length: 6 }, (_, i) => pool.detect(blankFrame(i), `cam${i % 2}`)));
    await pool.close();
    const settled = await pending;
    expect(settled.some((r) => r.status === 'rejected' && (r.reason as DetectorError).code === 'closed')).toBe(true);
    // A terminated worker reports thread id -1.
    expect(pool.threadIds).toEqual([-1, -1]);
    await expect(pool.detect(blankFrame())).rejects.toMatchObject({ code: 'closed' });
  });

  it('runs raw inference on a prepared tensor', async () => {
    const pool = await InferencePool.create(poolOptions());
    const tensor = new Float32Array(new SharedArrayBuffer(3 * 128 * 128 * 4));
    const r = await pool.infer(tensor);
    expect(r.outputDims).toEqual([1, 64, 6]);
    expect(r.inferenceMs).toBeGreaterThan(0);
    await expect(pool.infer(new Float32Array(10))).rejects.toMatchObject({ code: 'frame-mismatch' });
    await pool.close();
  });
});

describe('createDetector', () => {
  it('falls back to CPU with a warning when a GPU provider cannot start', async () => {
    const warnings: string[] = [];
    const detector = await createDetector({ model, workers: 1, executionProviders: ['cuda'], onWarning: (w) => warnings.push(w) });
    expect(detector.providers).toEqual(['cpu']);
    expect(warnings.join('\n')).toMatch(/execution provider "cuda" failed to initialise/);
    expect(await detector.detect(blankFrame())).toEqual([]);
    const stats = detector.stats();
    expect(stats.inferenceMs.count).toBe(1);
    expect(stats.workers[0]!.frames).toBe(1);
    await detector.close();
  });

  it('rejects unknown providers', async () => {
    await expect(createDetector({ model, executionProviders: ['opencl' as 'cpu'] })).rejects.toThrow(/unknown execution provider "opencl"/);
  });
});
