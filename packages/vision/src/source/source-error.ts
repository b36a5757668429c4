export type SourceErrorCode =
  /** The options passed to the source are invalid. */
  | 'invalid-options'
  /** The ffmpeg (or ffprobe) executable could not be started. */
  | 'ffmpeg-not-found'
  /** The file or device does not exist (or the server answered 404). */
  | 'not-found'
  /** The input has no video stream or its data cannot be decoded. */
  | 'undecodable'
  /** The server refused the credentials (401/403). */
  | 'unauthorized'
  /** The network input could not be reached or the connection broke. */
  | 'connection-failed'
  /** No frame arrived within the startup timeout. */
  | 'startup-timeout'
  /** A live stream stopped delivering frames for longer than the stall timeout. */
  | 'stalled'
  /** A live stream ended, or a file ended in the middle of a frame. */
  | 'ended-unexpectedly'
  /** ffmpeg failed for a reason not covered above; the message carries its last error line. */
  | 'ffmpeg-failed';

/** Why a frame source (or a probe) could not deliver frames. Messages never contain URL credentials. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    /** The source, credentials redacted. */
    readonly source: string,
    /** The ffmpeg stderr line that explains the failure, when there is one (redacted). */
    readonly ffmpegMessage?: string,
  ) {
    super(message);
  }
}

/** Errors that retrying cannot fix, so even a live source gives up at once. */
export function isPermanentSourceError(code: SourceErrorCode): boolean {
  return code === 'ffmpeg-not-found' || code === 'invalid-options';
}
