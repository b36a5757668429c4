import { resolve } from 'node:path';

/** The ffmpeg executable: the explicit option, else $SIGHTLINE_FFMPEG, else `ffmpeg` on the PATH. */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

export interface EncodeSettings {
  outputPath: string;
  width: number;
  height: number;
  fps: number;
  pixelFormat: 'rgb24' | 'bgr24';
  preset: X264Preset;
  crf: number;
}

/** Arguments for raw frames on stdin to an H.264 MP4 that any browser or player opens. */
export function annotatedVideoArgs(s: EncodeSettings): string[] {
  // yuv420p (what players support) needs even sizes; pad an odd edge by one pixel rather than crop detail.
  const needsPad = s.width % 2 === 1 || s.height % 2 === 1;
  return [
    '-hide_banner',
    '-loglevel', 'error',
    '-y',
    '-f', 'rawvideo',
    '-pix_fmt', s.pixelFormat,
    '-s', `${s.width}x${s.height}`,
    '-r', String(s.fps),
    '-i', 'pipe:0',
    '-an',
    ...(needsPad ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : []),
    '-c:v', 'libx264',
    '-preset', s.preset,
    '-crf', String(s.crf),
    '-pix_fmt', 'yuv420p',
    // Moving the index to the front lets a browser start playing before the whole file has loaded.
    '-movflags', '+faststart',
    '-f', 'mp4',
    // The file: protocol keeps a name with a colon from being read as a URL, and an absolute path keeps a
    // name starting with '-' from being read as an option.
    `file:${resolve(s.outputPath)}`,
  ];
}
