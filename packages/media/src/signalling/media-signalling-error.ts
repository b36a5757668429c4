export type MediaSignallingErrorCode =
  | 'unsupported-media-type'
  | 'offer-too-large'
  | 'invalid-sdp'
  | 'invalid-offer'
  | 'no-video'
  | 'no-common-codec'
  | 'superseded'
  | 'unknown-resource'
  | 'relay-closed'
  | 'internal';

/** A WHIP/WHEP request that cannot be served, with the HTTP status the response should carry. */
export class MediaSignallingError extends Error {
  override readonly name = 'MediaSignallingError';
  constructor(
    readonly status: number,
    readonly code: MediaSignallingErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { error: { code: MediaSignallingErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
