export interface X11GrabEncoding {
  /** ":N" */
  display: string;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  /** One intra-refresh sweep (a column of intra blocks crossing the picture) takes this many frames. */
  refreshFrames: number;
  drawCursor: boolean;
}

/**
 * ffmpeg grabbing an X display and encoding it for WebRTC at the lowest latency x264 offers: ultrafast, zerolatency
 * (no lookahead, no B-frames, one frame in, one frame out), constrained baseline, and periodic intra refresh instead of
 * keyframes: no IDR after the first, so no bitrate spikes; any decoder that joins or loses a frame has a clean picture
 * again after one sweep. With -copyts the timestamps are x11grab's, which are the wall-clock time of each grab (90 kHz,
 * mod 2^33): that is what lets us measure capture latency and keep one timeline across encoder restarts. MPEG-TS with
 * PES lengths so that TsDemuxer hands over each picture as soon as it is complete.
 */
export function x11grabArgs(e: X11GrabEncoding): string[] {
  const bitrate = `${Math.round(e.bitrateKbps)}k`;
  // About a tenth of a second of video in the rate-control buffer: frames stay near the average size (low latency)
  // while a burst of change (a scene cut in a game) still gets some room.
  const bufsize = `${Math.max(1, Math.round(e.bitrateKbps / 10))}k`;
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // No probing: the grabber knows its format, and frames read while probing would reach the encoder late, in a burst.
    '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer',
    '-f', 'x11grab', '-draw_mouse', e.drawCursor ? '1' : '0',
    '-framerate', String(e.fps), '-video_size', `${e.width}x${e.height}`, '-i', `${e.display}+0,0`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
    '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bufsize,
    '-g', String(e.refreshFrames), '-bf', '0',
    '-x264-params', `intra-refresh=1:keyint=${e.refreshFrames}`,
    // The grab's own µs timestamps, not rounded to whole frames (the encoder's default time base is 1/fps).
    '-copyts', '-vsync', 'passthrough', '-enc_time_base', '1:90000',
    '-f', 'mpegts', '-omit_video_pes_length', '0', '-flush_packets', '1', '-muxdelay', '0', '-muxpreload', '0', 'pipe:1',
  ];
}
