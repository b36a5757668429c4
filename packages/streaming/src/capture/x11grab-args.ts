/** The codecs a screen capture can produce (both are what every WebRTC browser decodes). */
export type CaptureCodec = 'h264' | 'vp8';

/**
 * The ffmpeg encoders a capture can run: x264 and libvpx on the CPU; NVENC (NVIDIA) and VAAPI (Intel, AMD) for H.264
 * on a GPU.
 */
export type CaptureEncoderName = 'libx264' | 'libvpx' | 'h264_nvenc' | 'h264_vaapi';

/** The VAAPI render node when none is given (the first GPU). */
export const DEFAULT_VAAPI_DEVICE = '/dev/dri/renderD128';

/** The container each codec comes out in: what the Node side parses picture by picture. */
export const CAPTURE_CONTAINER: Record<CaptureCodec, 'mpegts' | 'ivf'> = { h264: 'mpegts', vp8: 'ivf' };

export interface X11GrabEncoding {
  /** ":N" */
  display: string;
  /** The display's size: what is grabbed. */
  width: number;
  height: number;
  /** Scale the picture down to this height (the width follows, kept even) before encoding. Default: no scaling. */
  outputHeight?: number;
  fps: number;
  bitrateKbps: number;
  /** Default 'h264'. */
  codec?: CaptureCodec;
  /** Default: libx264 for H.264, libvpx for VP8. */
  encoder?: CaptureEncoderName;
  /** H.264: one intra-refresh sweep (a column of intra blocks crossing the picture) takes this many frames. */
  refreshFrames: number;
  /** VP8: the longest run of frames without a key frame (libvpx's kf_max_dist). */
  keyframeIntervalFrames?: number;
  drawCursor: boolean;
  /** h264_vaapi: the render node. Default DEFAULT_VAAPI_DEVICE. */
  vaapiDevice?: string;
}

/** The encoder a capture runs for these settings. */
export function captureEncoderOf(e: Pick<X11GrabEncoding, 'codec' | 'encoder'>): CaptureEncoderName {
  const codec = e.codec ?? 'h264';
  const encoder = e.encoder ?? (codec === 'vp8' ? 'libvpx' : 'libx264');
  if ((codec === 'vp8') !== (encoder === 'libvpx')) throw new Error(`encoder ${encoder} does not make ${codec}`);
  return encoder;
}

/** The picture size after the optional scale-down: the height asked for, the width in proportion and even. */
export function outputSize(e: Pick<X11GrabEncoding, 'width' | 'height' | 'outputHeight'>): { width: number; height: number } {
  if (e.outputHeight === undefined || e.outputHeight >= e.height) return { width: e.width, height: e.height };
  const height = Math.max(2, 2 * Math.round(e.outputHeight / 2));
  const width = Math.max(2, 2 * Math.round((e.width * height) / e.height / 2));
  return { width, height };
}

/**
 * ffmpeg grabbing an X display and encoding it for WebRTC at the lowest latency the encoder offers, the pictures on
 * stdout in a container the Node side reads one picture at a time (MPEG-TS for H.264, IVF for VP8).
 *
 * With -copyts the timestamps are x11grab's, which are the wall-clock time of each grab (90 kHz; mod 2^33 in MPEG-TS,
 * whole in IVF): that is what lets us measure capture latency and keep one timeline across encoder restarts.
 */
export function x11grabArgs(e: X11GrabEncoding): string[] {
  const encoder = captureEncoderOf(e);
  const out = outputSize(e);
  const scaled = out.height !== e.height;
  const scale = `scale=${out.width}:${out.height}:flags=bilinear`;
  const vaapi = encoder === 'h264_vaapi';
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // No probing: the grabber knows its format, and frames read while probing would reach the encoder late, in a burst.
    '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer',
    ...(vaapi ? ['-vaapi_device', e.vaapiDevice ?? DEFAULT_VAAPI_DEVICE] : []),
    '-f', 'x11grab', '-draw_mouse', e.drawCursor ? '1' : '0',
    '-framerate', String(e.fps), '-video_size', `${e.width}x${e.height}`, '-i', `${e.display}+0,0`,
    // Scaled and converted to 4:2:0 in one swscale pass.
    // VAAPI encodes GPU surfaces: the picture is converted to NV12 and uploaded.
    ...(vaapi ? ['-vf', `${scaled ? `${scale},` : ''}format=nv12,hwupload`] : [...(scaled ? ['-vf', scale] : []), '-pix_fmt', 'yuv420p']),
    ...(encoder === 'libvpx' ? vp8Args(e) : encoder === 'h264_nvenc' ? nvencArgs(e) : vaapi ? vaapiArgs(e) : x264Args(e)),
    // The grab's own µs timestamps, not rounded to whole frames (the encoder's default time base is 1/fps).
    '-copyts', '-vsync', 'passthrough', '-enc_time_base', '1:90000',
    ...(encoder === 'libvpx'
      ? ['-f', 'ivf', '-flush_packets', '1', 'pipe:1']
      : ['-f', 'mpegts', '-omit_video_pes_length', '0', '-flush_packets', '1', '-muxdelay', '0', '-muxpreload', '0', 'pipe:1']),
  ];
}

/**
 * x264 ultrafast, zerolatency (no lookahead, no B-frames, one frame in, one frame out), constrained baseline, and
 * periodic intra refresh instead of keyframes: no IDR after the first, so no bitrate spikes; any decoder that joins or
 * loses a frame has a clean picture again after one sweep. About a tenth of a second of video in the rate-control
 * buffer: frames stay near the average size (low latency) while a burst of change (a scene cut in a game) still gets
 * some room.
 */
function x264Args(e: X11GrabEncoding): string[] {
  const { bitrate, bufsize } = rates(e.bitrateKbps, 0.1);
  return [
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
    '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bufsize,
    '-g', String(e.refreshFrames), '-bf', '0',
    '-x264-params', `intra-refresh=1:keyint=${e.refreshFrames}`,
  ];
}

/**
 * libvpx VP8 as WebRTC runs it: realtime deadline at the fastest speed, no frame lag (one frame in, one out),
 * error-resilient (probabilities reset per frame, so a lost frame does not poison the entropy contexts of the next),
 * no alt-ref frames, constant bitrate (min = max = target) with a fifth of a second of buffer and key frames capped at
 * three average frames, and key frames only on request or after keyframeIntervalFrames (keyint_min = keyint turns
 * libvpx's own scene-cut key frames off). No frame dropping: a missing frame would leave a gap in the timeline.
 */
function vp8Args(e: X11GrabEncoding): string[] {
  const { bitrate, bufsize } = rates(e.bitrateKbps, 0.2);
  const keyint = String(e.keyframeIntervalFrames ?? 60 * e.fps);
  const { width, height } = outputSize(e);
  return [
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-error-resilient', '1',
    '-auto-alt-ref', '0', '-b:v', bitrate, '-minrate', bitrate, '-maxrate', bitrate, '-bufsize', bufsize,
    '-undershoot-pct', '100', '-overshoot-pct', '15', '-max-intra-rate', '300', '-drop-threshold', '0',
    '-g', keyint, '-keyint_min', keyint,
    // libvpx's threads wait for each other spinning: on a busy host (here, 2 shared cores) a second thread cost more
    // CPU than it saved. One up to 720p, where one thread keeps up; more only above.
    '-threads', String(width * height > 1920 * 1080 ? 4 : width * height > 1280 * 720 ? 2 : 1),
  ];
}

/**
 * NVENC (not tested here: no GPU): the P1 preset, ultra-low-latency tuning, zero reorder delay, CBR with the x264
 * path's small buffer, and periodic intra refresh over refreshFrames like x264.
 */
function nvencArgs(e: X11GrabEncoding): string[] {
  const { bitrate, bufsize } = rates(e.bitrateKbps, 0.1);
  return [
    '-c:v', 'h264_nvenc', '-preset', 'p1', '-tune', 'ull', '-zerolatency', '1', '-delay', '0', '-profile:v', 'baseline',
    '-rc', 'cbr', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bufsize,
    '-g', String(e.refreshFrames), '-bf', '0', '-intra-refresh', '1',
  ];
}

/**
 * VAAPI H.264: constrained baseline, no B-frames, constant bitrate with a small buffer. Drivers differ in intra
 * refresh support, so there is none: an IDR every two seconds, and on request (the capture's encoder switch).
 */
function vaapiArgs(e: X11GrabEncoding): string[] {
  const { bitrate, bufsize } = rates(e.bitrateKbps, 0.1);
  return [
    '-c:v', 'h264_vaapi', '-profile:v', 'constrained_baseline', '-bf', '0', '-g', String(Math.max(1, e.fps * 2)),
    '-rc_mode', 'CBR', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bufsize,
  ];
}

function rates(bitrateKbps: number, bufferSeconds: number): { bitrate: string; bufsize: string } {
  return {
    bitrate: `${Math.round(bitrateKbps)}k`,
    bufsize: `${Math.max(1, Math.round(bitrateKbps * bufferSeconds))}k`,
  };
}
