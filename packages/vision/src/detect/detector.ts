import { availableParallelism } from 'node:os';
import type { Detection, ModelManifest } from '@sightline/protocol';
import type { Frame } from '../frame.js';
import { InferencePool, type InferResult, type PoolStats, type QueueOverflow } from './inference-pool.js';
import { inputSpecFromManifest, type InputSpec } from './input-spec.js';
import type { ModelPackage } from './model-package.js';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from './session.js';
import { resolveClassThresholds } from './thresholds.js';

export interface DetectorOptions {
  model: ModelPackage;
  /** Worker threads; default min(4, cores). */
  workers?: number;
  /** onnxruntime intra-op threads per worker; default 1 (more workers beat more threads on small models). */
  threadsPerWorker?: number;
  /** Preferred providers; default ['cpu']. A GPU provider that fails to start falls back to CPU with a warning. */
  executionProviders?: ExecutionProvider[];
  /** Overrides manifest.scoreThreshold for every class (and the manifest's per-class thresholds). */
  scoreThreshold?: number;
  /** Per-class thresholds by label, over the manifest's. */
  classThresholds?: Record<string, number>;
  /** Keep at most this many detections per frame. */
  maxDetections?: number;
  /** Frames allowed to wait per camera; default 4 (a pipeline keeps up to 3 in flight and must not lose any). */
  maxQueuePerCamera?: number;
  /** Default 'drop-oldest'. */
  overflow?: QueueOverflow;
  /** See InferencePoolOptions.transferFrameBuffers; default false (frames are copied into shared memory). */
  transferFrameBuffers?: boolean;
  /** Receives warnings such as a provider falling back to CPU; default console.warn. */
  onWarning?: (message: string) => void;
}

export interface Detector {
  readonly manifest: ModelManifest;
  /** What the frame source must deliver for this model. */
  readonly inputSpec: InputSpec;
  /** Frames one camera may have waiting before the oldest is dropped (or the newest rejected). */
  readonly maxQueuePerCamera: number;
  /** The execution providers the sessions actually use. */
  readonly providers: ExecutionProvider[];
  /** Detections in source-frame pixels. Rejects with DetectorError when the frame is dropped or fails. */
  detect(frame: Frame, cameraId?: string): Promise<Detection[]>;
  /** Inference only on a prepared tensor (see preprocessPixels), for raw model throughput. */
  infer(tensor: Float32Array, cameraId?: string): Promise<InferResult>;
  stats(): PoolStats;
  close(): Promise<void>;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export async function createDetector(options: DetectorOptions): Promise<Detector> {
  const { manifest, modelPath } = options.model;
  const providers = options.executionProviders ?? ['cpu'];
  for (const p of providers) {
    if (!EXECUTION_PROVIDERS.includes(p)) throw new RangeError(`unknown execution provider "${p}"; use ${EXECUTION_PROVIDERS.join(', ')}`);
  }
  const thresholds = resolveClassThresholds(manifest, {
    scoreThreshold: options.scoreThreshold,
    classThresholds: options.classThresholds,
  });
  const maxQueuePerCamera = options.maxQueuePerCamera ?? 4;
  const pool = await InferencePool.create({
    modelPath,
    manifest,
    workers: options.workers ?? defaultWorkerCount(),
    threadsPerWorker: options.threadsPerWorker ?? 1,
    executionProviders: providers,
    thresholds,
    maxDetections: options.maxDetections,
    maxQueuePerCamera,
    overflow: options.overflow ?? 'drop-oldest',
    transferFrameBuffers: options.transferFrameBuffers ?? false,
  });
  const warn = options.onWarning ?? ((m: string) => console.warn(`sightline: ${m}`));
  for (const w of pool.warnings) warn(w);
  return {
    manifest,
    inputSpec: inputSpecFromManifest(manifest),
    providers: pool.providers,
    maxQueuePerCamera,
    detect: (frame, cameraId) => pool.detect(frame, cameraId),
    infer: (tensor, cameraId) => pool.infer(tensor, cameraId),
    stats: () => pool.stats(),
    close: () => pool.close(),
  };
}
