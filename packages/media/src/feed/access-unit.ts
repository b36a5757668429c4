/** The video codecs a picture source may carry. */
export type VideoCodecName = 'h264' | 'vp8';

/** One coded picture of H.264 video (or VP8: see `codec`) as it travels through the edge, from the camera to every consumer. */
export interface AccessUnit {
  /** Presentation timestamp on the 90 kHz clock, unwrapped: it only grows, across the camera's reconnects too. */
  pts: number;
  /** Decoding timestamp, same clock; equal to pts unless the stream has B-frames. */
  dts: number;
  /** The picture holds an IDR slice (VP8: is a key frame): a decoder can start here. */
  keyframe: boolean;
  /** Annex B byte stream: NAL units with start codes (SPS and PPS included before keyframes). VP8: one whole frame. */
  data: Buffer;
  /** Wall-clock time (ms since the epoch) the picture arrived from the camera. */
  receivedAt: number;
  /** Absent means H.264 (cameras, transcoders); 'vp8' only from sources that say so (a screen capture). */
  codec?: VideoCodecName;
}

/** The 90 kHz clock of H.264 over MPEG-TS and RTP. */
export const VIDEO_CLOCK_HZ = 90_000;
