import type { EncoderInput } from './encoder-input.js';
import { privacyMaskFilterGraph } from './privacy-mask.js';

export interface VideoEncodingSettings {
  width?: number;
  height?: number;
  fps?: number;
  bitrateKbps: number;
  gopSeconds: number;
  /** A PGM picture, white where the video must be blacked out before it leaves (see renderPrivacyMask). */
  privacyMaskPath?: string;
}

export interface RtpOutputSettings {
  port: number;
  payloadType: number;
  maxPacketSize: number;
}

/**
 * Options that make x264 fit WebRTC: constrained baseline (no B-frames, what every browser decodes), zerolatency (no
 * lookahead, no frame reordering), a capped bitrate with a one-second buffer, and IDR frames on a fixed time grid.
 * Scene-cut keyframes are off so that the GOP is predictable: the keyframe policy reasons about when the next one is
 * due. SPS/PPS go in band before every keyframe (dump_extra), because WebRTC receivers ignore the SDP's sprop.
 */
function x264Args(video: VideoEncodingSettings): string[] {
  const filters: string[] = [];
  if (video.width !== undefined || video.height !== undefined) {
    // -2 keeps the aspect ratio with an even dimension, which 4:2:0 needs.
    filters.push(`scale=${video.width ?? -2}:${video.height ?? -2}`);
  }
  if (video.fps !== undefined) filters.push(`fps=${video.fps}`);
  // With a known rate the GOP is exact in frames; otherwise -g is only a ceiling and the time expression rules.
  const gopFrames = Math.max(1, Math.round((video.fps ?? 60) * video.gopSeconds));
  const bitrate = `${Math.round(video.bitrateKbps)}k`;
  const filterArgs = video.privacyMaskPath
    ? ['-filter_complex', privacyMaskFilterGraph(filters), '-map', '[out]']
    : ['-map', '0:v:0', ...(filters.length > 0 ? ['-vf', filters.join(',')] : [])];
  return [
    ...filterArgs,
    '-c:v', 'libx264',
    '-preset', 'ultrafast',
    '-tune', 'zerolatency',
    '-profile:v', 'baseline',
    '-pix_fmt', 'yuv420p',
    '-b:v', bitrate,
    '-maxrate', bitrate,
    '-bufsize', bitrate,
    '-g', String(gopFrames),
    '-sc_threshold', '0',
    '-force_key_frames', `expr:gte(t,n_forced*${video.gopSeconds})`,
    '-forced-idr', '1',
    '-bsf:v', 'dump_extra=freq=keyframe',
  ];
}

/**
 * Passthrough: the camera's H.264 as it is. mp4toannexb turns MP4-style length-prefixed units into start codes (and
 * leaves streams that already have them alone); dump_extra then repeats SPS/PPS before each keyframe, which RTSP
 * cameras often send only once, in their SDP.
 */
const PASSTHROUGH_ARGS = ['-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb,dump_extra=freq=keyframe'];

/** The whole ffmpeg command line: one video stream from `input`, H.264 RTP to 127.0.0.1:`port`. */
export function rtpEncoderArgs(
  input: EncoderInput,
  video: VideoEncodingSettings | 'passthrough',
  output: RtpOutputSettings,
): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    // info: the input's codec and duration are read from the log; -nostats keeps the log quiet otherwise.
    '-loglevel', 'info',
    '-nostats',
    ...input.args,
    // The mask is a second input, looped: one picture for the whole stream.
    ...(video !== 'passthrough' && video.privacyMaskPath ? ['-loop', '1', '-i', video.privacyMaskPath] : []),
    '-an', '-sn', '-dn',
    ...(video === 'passthrough' ? ['-map', '0:v:0', ...PASSTHROUGH_ARGS] : x264Args(video)),
    '-f', 'rtp',
    '-payload_type', String(output.payloadType),
    // RTCP goes to the same port (and is dropped there) so that ffmpeg never sends to a port someone else may own.
    `rtp://127.0.0.1:${output.port}?pkt_size=${output.maxPacketSize}&rtcpport=${output.port}`,
  ];
}
