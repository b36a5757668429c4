export type ModelErrorCode =
  | 'manifest-not-found'
  | 'manifest-invalid'
  | 'model-file-missing'
  | 'model-load-failed'
  | 'input-mismatch'
  | 'output-mismatch';

/** A model package that cannot be used: bad manifest, missing file, or a graph that does not fit the manifest. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type DetectorErrorCode =
  /** The camera's queue was full and this (oldest) frame was dropped to make room. */
  | 'frame-dropped'
  /** The camera's queue was full and the pool is set to reject new frames. */
  | 'queue-full'
  /** The worker running this job died; the pool replaces it. */
  | 'worker-crashed'
  /** The detector was closed before the job ran. */
  | 'closed'
  /** The frame does not have the size or pixel format the model needs. */
  | 'frame-mismatch'
  | 'inference-failed'
  | 'no-workers';

/** A detect/infer call that did not produce a result. */
export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  constructor(
    readonly code: DetectorErrorCode,
    message: string,
  ) {
    super(message);
  }
}
