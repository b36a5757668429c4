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

export type WorkerRequest = DetectRequest | InferRequest;

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
