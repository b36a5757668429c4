import type { EncoderInput } from '../publish/encoder-input.js';

export type IngestMode = 'copy' | 'encode';

/**
 * ffmpeg reading a camera once and writing its video as MPEG-TS to stdout, for the edge to share. H.264 is copied as
 * it is (the muxer turns MP4-style NAL units into Annex B by itself; an explicit bitstream filter would stall ffmpeg
 * 5.1 at the end of a looped file, and ParameterSets restores SPS/PPS at keyframes that lack them); anything
 * else (a test pattern, a raw V4L2 device, MJPEG, HEVC) is encoded once here with x264 at high quality, so that every
 * consumer downstream deals with H.264 only. `-omit_video_pes_length 0` and `-flush_packets 1` let a picture leave
 * ffmpeg, and be recognised as complete, the moment it is read.
 */
export function ingestArgs(input: EncoderInput, mode: IngestMode, gopFrames = 30): string[] {
  const video =
    mode === 'copy'
      ? ['-c:v', 'copy']
      : [
          '-c:v', 'libx264',
          '-preset', 'ultrafast',
          '-tune', 'zerolatency',
          '-pix_fmt', 'yuv420p',
          '-crf', '20',
          '-g', String(gopFrames),
          '-bf', '0',
          '-bsf:v', 'dump_extra=freq=keyframe',
        ];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'info',
    '-nostats',
    ...input.args,
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    ...video,
    '-f', 'mpegts',
    '-omit_video_pes_length', '0',
    '-flush_packets', '1',
    '-muxdelay', '0',
    '-muxpreload', '0',
    'pipe:1',
  ];
}
