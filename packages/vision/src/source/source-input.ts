import { redactCredentials } from './redact.js';

export type SourceKind = 'file' | 'lavfi' | 'v4l2' | 'rtsp' | 'hls' | 'http' | 'stream' | 'tap';

/** A source string resolved into what ffmpeg needs to open it. */
export interface SourceInput {
  kind: SourceKind;
  /** What ffmpeg gets after `-i`: a path, URL, device or lavfi graph. */
  target: string;
  /** Whether the source is a live stream (frames arrive in real time and cannot be re-read). */
  live: boolean;
  /** Input options placed before `-i` (format, transport, low-delay flags, -re). */
  inputArgs: string[];
  /** The source as it may appear in logs and error messages (credentials redacted). */
  display: string;
}

export interface SourceInputOptions {
  /** Force live or non-live; decided from the source when absent. */
  live?: boolean;
  rtspTransport?: 'tcp' | 'udp';
  /** Extra ffmpeg input options, placed just before `-i`. */
  extraInputArgs?: readonly string[];
}

/** Extensions of HTTP resources that are finite files rather than live streams. */
const FILE_EXTENSIONS = new Set(['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'flv', 'wmv', 'mpg', 'mpeg', 'y4m']);
const LIVE_SCHEMES = new Set(['rtmp', 'rtmps', 'udp', 'srt', 'rtp', 'tcp']);

function urlPathExtension(url: string): string {
  try {
    const path = new URL(url).pathname;
    const dot = path.lastIndexOf('.');
    return dot > path.lastIndexOf('/') ? path.slice(dot + 1).toLowerCase() : '';
  } catch {
    return '';
  }
}

function classify(source: string): { kind: SourceKind; target: string; autoLive: boolean; loop?: boolean } {
  // A file played forever at its own rate: a stand-in camera for demos and tests.
  if (source.startsWith('loop:')) return { kind: 'file', target: source.slice('loop:'.length), autoLive: true, loop: true };
  if (source.startsWith('lavfi:')) return { kind: 'lavfi', target: source.slice('lavfi:'.length), autoLive: false };
  if (source.startsWith('v4l2:')) return { kind: 'v4l2', target: source.slice('v4l2:'.length), autoLive: true };
  if (/^\/dev\/video\d+$/.test(source)) return { kind: 'v4l2', target: source, autoLive: true };
  if (source.startsWith('file:')) return { kind: 'file', target: source.slice('file:'.length), autoLive: false };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', target: source, autoLive: false };
  if (scheme === 'rtsp' || scheme === 'rtsps') return { kind: 'rtsp', target: source, autoLive: true };
  if (scheme === 'http' || scheme === 'https') {
    const ext = urlPathExtension(source);
    if (ext === 'm3u8') return { kind: 'hls', target: source, autoLive: true };
    // A URL naming a container file is a download; anything else (MJPEG, MPEG-TS, FLV push) is a stream.
    return { kind: 'http', target: source, autoLive: !FILE_EXTENSIONS.has(ext) };
  }
  return { kind: 'stream', target: source, autoLive: LIVE_SCHEMES.has(scheme) };
}

/**
 * Work out how ffmpeg must open `source`:
 * - `lavfi:<graph>` is an ffmpeg test pattern such as `lavfi:testsrc2=size=1280x720:rate=30`;
 * - `/dev/videoN` or `v4l2:<device>` is a V4L2 camera;
 * - `rtsp://`, `rtmp://`, `udp://`, `srt://`, `http(s)://` URLs (HLS when the path ends in .m3u8);
 * - `loop:<path>` is a file played in a loop at its native rate, as if it were a camera;
 * - anything else (or `file:<path>`) is a file path.
 * Network streams and cameras are live; files and test patterns are not unless `live` says so, in
 * which case they are read at their native rate (`-re`) to behave like a camera.
 */
export function resolveSourceInput(source: string, options: SourceInputOptions = {}): SourceInput {
  const { kind, target, autoLive, loop } = classify(source);
  const live = options.live ?? autoLive;
  const inputArgs: string[] = [];
  if (loop) inputArgs.push('-stream_loop', '-1');
  if (kind === 'lavfi') inputArgs.push('-f', 'lavfi');
  if (kind === 'v4l2') inputArgs.push('-f', 'v4l2');
  if (kind === 'rtsp') inputArgs.push('-rtsp_transport', options.rtspTransport ?? 'tcp');
  if (live && (kind === 'file' || kind === 'lavfi')) inputArgs.push('-re');
  // Low-delay input only pays off where frames arrive in real time from outside. `nobuffer` throws
  // away the packets read while ffmpeg analyses the stream: harmless for pushed streams (RTSP, UDP,
  // a camera), but an HTTP or HLS server may deliver seconds of video in that first read, all of which
  // would be lost (a 4 s MPEG-TS over HTTP gave no frame at all).
  const pushed = kind === 'rtsp' || kind === 'v4l2' || kind === 'stream';
  if (live && pushed) inputArgs.push('-fflags', 'nobuffer');
  if (live && kind !== 'file' && kind !== 'lavfi') inputArgs.push('-flags', 'low_delay');
  inputArgs.push(...(options.extraInputArgs ?? []));
  return { kind, target, live, inputArgs, display: redactCredentials(source) };
}

/**
 * A shared camera feed read from stdin as MPEG-TS. The feed has already found the stream, so ffmpeg need not probe
 * for seconds before the first frame; -copyts keeps the feed's timestamps.
 */
export function tapSourceInput(name: string): SourceInput {
  return {
    kind: 'tap',
    target: 'pipe:0',
    live: true,
    inputArgs: ['-probesize', '32', '-analyzeduration', '0', '-copyts', '-f', 'mpegts'],
    display: redactCredentials(name),
  };
}
