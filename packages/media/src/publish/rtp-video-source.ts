import type { EventEmitter } from 'node:events';
import type { VideoCodecName } from '../feed/access-unit.js';
import type { RtpEncoderError } from './encoder-error.js';
import type { KeyframeDecision } from './keyframe-policy.js';

export interface RtpVideoSourceEvents {
  /** One RTP packet of `codec` (a fresh Buffer the listener may keep). */
  rtp: [packet: Buffer];
  /** A fatal error after start() resolved. */
  failure: [error: RtpEncoderError];
  /** A finite source reached its end. */
  end: [];
}

/**
 * What WhipClient publishes: an RtpEncoder (its own ffmpeg), or a picture feed packetized without re-encoding, or a
 * privacy transcoder.
 */
export interface RtpVideoSource extends Pick<EventEmitter<RtpVideoSourceEvents>, 'on' | 'off'> {
  /** The codec of its RTP packets, which is the only one WhipClient offers. Absent means H.264. */
  readonly codec?: VideoCodecName;
  /** Resolves once video flows (rejects with an RtpEncoderError when the source cannot be read). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A receiver lost the picture or is starting: get a keyframe out as soon as this source can. */
  requestKeyframe(): KeyframeDecision;
}
