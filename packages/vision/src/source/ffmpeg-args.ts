import type { FfmpegCapabilities } from './ffmpeg-binary.js';
import type { ResolvedFrameSourceOptions } from './frame-source-options.js';
import type { SourceInput } from './source-input.js';

/**
 * The video filter chain. Order matters:
 * - `fps` first, so everything after it only handles analysed frames;
 * - `showinfo` next, before any scaling: its per-frame log line carries the frame's real pts and the
 *   source picture size, so geometry stays right even if a camera changes resolution mid-stream;
 * - `scale` converts to the packed pixel format in the same swscale pass, then `pad` fills the
 *   letterbox in RGB so padding pixels are exactly `padValue` (padding in YUV would round it).
 */
export function buildVideoFilter(options: ResolvedFrameSourceOptions, capabilities: FfmpegCapabilities): string {
  const { width, height, pixelFormat, scaler, padValue } = options;
  const filters: string[] = [];
  // round=up: each output tick takes the newest input frame at or before it, so an analysed frame is never
  // from the future of its pts (the default, round=near, labels the frame 0.2 s later as t=0 at 10 -> 2 fps).
  if (options.fps !== undefined && options.keepSourceTimestamps) {
    // The first frame of each 1/fps slot, with its own pts (the fps filter would renumber it onto its grid).
    filters.push(`select='isnan(prev_selected_t)+gt(floor(t*${options.fps}),floor(prev_selected_t*${options.fps}))'`);
  } else if (options.fps !== undefined) {
    filters.push(`fps=${options.fps}:round=up`);
  }
  filters.push(capabilities.showinfoChecksumOption ? 'showinfo=checksum=0' : 'showinfo');
  if (options.resize === 'stretch') {
    filters.push(`scale=${width}:${height}:flags=${scaler}`, `format=${pixelFormat}`);
  } else {
    // force_original_aspect_ratio rounds like fitGeometry: the long side fills, the other is rounded to nearest.
    filters.push(`scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=${scaler}`, `format=${pixelFormat}`);
    const hex = padValue.toString(16).padStart(2, '0');
    const position = options.letterboxAlign === 'center' ? 'x=floor((ow-iw)/2):y=floor((oh-ih)/2)' : 'x=0:y=0';
    filters.push(`pad=${width}:${height}:${position}:color=0x${hex}${hex}${hex}`);
  }
  return filters.join(',');
}

/**
 * The full ffmpeg command line. `-nostdin` because ffmpeg does not quit when stdin closes (it only
 * reacts to keys), so a stdin pipe would not help to detect our death and would let ffmpeg steal
 * terminal input; see util/child-registry.ts for how children are kept from outliving us. The log runs at
 * info level with level tags: showinfo logs at info, and the tags tell errors from chatter.
 * `-vsync passthrough` hands every filtered frame over exactly once (the rawvideo muxer would
 * otherwise duplicate or drop frames to make a constant rate), which keeps frames and showinfo lines
 * paired one to one. (`-fps_mode` is its newer name, missing from ffmpeg 4.)
 */
export function buildFfmpegArgs(
  input: SourceInput,
  options: ResolvedFrameSourceOptions,
  capabilities: FfmpegCapabilities,
): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'level+info',
    // Decoder threads: one by default. Frame threading adds a frame of latency per thread and costs CPU in
    // synchronisation, and a camera at analysis rates needs far less than one core to decode.
    ...(options.decodeThreads === 0 ? [] : ['-threads', String(options.decodeThreads)]),
    ...input.inputArgs,
    '-i',
    input.target,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    buildVideoFilter(options, capabilities),
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    options.pixelFormat,
    'pipe:1',
  ];
}
