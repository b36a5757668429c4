import type { Detection, ModelManifest } from '@sightline/protocol';
import type { FrameGeometry } from '../frame.js';
import type { DetectorErrorCode, ModelErrorCode } from './errors.js';
import type { ExecutionProvider } from './session.js';

/** Passed as workerData: everything a worker needs to build its session and post-processor. */
export interface WorkerConfig {
  modelPath: string;
  manifest: ModelManifest;
  intraOpThreads: number;
  executionProviders: ExecutionProvider[];
  thresholds: Float32Array;
  maxDetections?: number;
  /**
   * Int32Array view of a SharedArrayBuffer shared with the pool (see NativeCallGuard): counts the worker's
   * onnxruntime calls in progress and carries the pool's "start no more" flag.
   */
  control: SharedArrayBuffer;
}

export interface DetectRequest {
  type: 'detect';
  jobId: number;
  /** Pixels live in a SharedArrayBuffer (copied there by the pool) or a transferred ArrayBuffer. */
  pixels: SharedArrayBuffer | ArrayBuffer;
  byteOffset: number;
  byteLength: number;
  width: number;
  height: number;
  pixelFormat: 'rgb24' | 'bgr24';
  geometry: FrameGeometry;
  sourceWidth: number;
  sourceHeight: number;
}

export interface InferRequest {
  type: 'infer';
  jobId: number;
  /** A prepared input tensor; Float32 values. */
  tensor: SharedArrayBuffer | ArrayBuffer;
  byteOffset: number;
  length: number;
}

/**
 * Ask the worker to end by itself: finish what is running, release the session and exit (code 0). A worker is
 * never terminated from outside while onnxruntime runs: `session.run` is native and cannot be interrupted, and a
 * run that returns into a terminating isolate throws a C++ Napi::Error that aborts the whole process.
 */
export interface CloseRequest {
  type: 'close';
}

/** Test hook: finish what is running without replying, then exit with code 1, as a crash would. */
export interface CrashRequest {
  type: 'crash-for-testing';
}

export type JobRequest = DetectRequest | InferRequest;
export type WorkerRequest = JobRequest | CloseRequest | CrashRequest;

export interface JobTiming {
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

export type WorkerReply =
  | { type: 'ready'; providers: ExecutionProvider[]; warnings: string[] }
  | { type: 'init-error'; code: ModelErrorCode; message: string }
  | { type: 'detections'; jobId: number; detections: Detection[]; timing: JobTiming }
  | { type: 'inferred'; jobId: number; outputDims: number[]; timing: JobTiming }
  | { type: 'job-error'; jobId: number; code: DetectorErrorCode; message: string };
