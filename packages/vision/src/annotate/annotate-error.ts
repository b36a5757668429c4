export type AnnotateErrorCode =
  | 'invalid-image'
  | 'invalid-argument'
  | 'invalid-frame'
  | 'ffmpeg-not-found'
  | 'ffmpeg-failed'
  | 'writer-closed';

/** Why drawing on a frame or writing the annotated video could not go on. */
export class AnnotateError extends Error {
  override readonly name = 'AnnotateError';
  constructor(
    readonly code: AnnotateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
