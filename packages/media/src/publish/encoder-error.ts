export type RtpEncoderErrorCode =
  /** ffmpeg is not installed (or not at the configured path). */
  | 'ffmpeg-not-found'
  /** The source file or device does not exist. */
  | 'source-not-found'
  /** Passthrough was asked for, but the source is not H.264. */
  | 'not-h264'
  /** ffmpeg produced no RTP within startTimeoutMs. */
  | 'start-timeout'
  /** ffmpeg exited with an error; the message carries its last log lines. */
  | 'ffmpeg-failed'
  /** The options are unusable. */
  | 'invalid-options'
  /** stop() was called before the encoder started. */
  | 'stopped';

export class RtpEncoderError extends Error {
  override readonly name = 'RtpEncoderError';
  constructor(
    readonly code: RtpEncoderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
