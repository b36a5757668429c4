export type ModelResolveErrorCode =
  | 'not-found'
  | 'not-installed'
  | 'unknown-onnx'
  | 'download-failed'
  | 'checksum-mismatch'
  | 'no-download-url';

/** Why a `--model` argument or a download could not give a usable model package. */
export class ModelResolveError extends Error {
  override readonly name = 'ModelResolveError';
  constructor(
    readonly code: ModelResolveErrorCode,
    message: string,
  ) {
    super(message);
  }
}
