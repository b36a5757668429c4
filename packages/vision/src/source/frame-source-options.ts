import type { Readable } from 'node:stream';
import { DEFAULT_RECONNECT, type ReconnectOptions, type ResolvedReconnectOptions } from './backoff.js';
import { SourceError } from './source-error.js';

/**
 * swscale algorithms offered for resizing. `area` is the default: for the usual case (a camera
 * frame shrunk to a detector input) it averages every source pixel, so small objects do not alias
 * away, it matches OpenCV's INTER_AREA that several detectors were trained with, and it measured as
 * fast as `bilinear` here. `fast_bilinear` is the cheapest when quality matters less.
 */
export type Scaler = 'area' | 'bilinear' | 'fast_bilinear' | 'bicubic' | 'lanczos' | 'neighbor';
const SCALERS: readonly Scaler[] = ['area', 'bilinear', 'fast_bilinear', 'bicubic', 'lanczos', 'neighbor'];

export type OverflowPolicy = 'drop-oldest' | 'pause';

export interface FrameSourceOptions {
  /** Size of the delivered pixel buffers. */
  width: number;
  height: number;
  /** Keep the aspect ratio and pad ('letterbox', default) or distort to fill ('stretch'). */
  resize?: 'letterbox' | 'stretch';
  /** Where a letterboxed picture sits. Default 'top-left'. */
  letterboxAlign?: 'top-left' | 'center';
  /** Value (0-255) of every channel of padding pixels. Default 114. */
  padValue?: number;
  /** Byte order of the packed pixels. Default 'rgb24'. */
  pixelFormat?: 'rgb24' | 'bgr24';
  /** Analysis rate: frames per second to deliver (ffmpeg's fps filter). Native rate when absent. */
  fps?: number;
  scaler?: Scaler;
  /** Decoder threads; default 1, 0 lets ffmpeg choose (raise it for 4K streams analysed at full rate). */
  decodeThreads?: number;
  /** Whether the source is live; decided from the source when absent (see resolveSourceInput). */
  live?: boolean;
  /** RTSP transport. Default 'tcp' (no packet loss artefacts, works through NAT). */
  rtspTransport?: 'tcp' | 'udp';
  /**
   * What happens when the consumer falls behind: 'drop-oldest' keeps only the newest `queueSize`
   * frames (default for live sources); 'pause' stops reading so ffmpeg blocks (default otherwise).
   */
  overflow?: OverflowPolicy;
  /** Frames held for the consumer. Default 3. */
  queueSize?: number;
  /** Default: $SIGHTLINE_FFMPEG, else `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Longest wait for the first frame of each ffmpeg run. Default 15 s. */
  startupTimeoutMs?: number;
  /** A live source that delivers no frame for this long is treated as disconnected. Default 10 s. */
  stallTimeoutMs?: number;
  /** Reconnection of live sources. */
  reconnect?: ReconnectOptions;
  /** Extra ffmpeg input options placed just before `-i` (camera-specific flags). */
  extraInputArgs?: string[];
  /**
   * Read this MPEG-TS stream (opened afresh for every ffmpeg run) instead of opening the source: a camera that the
   * edge has opened once and shares. The source string is then only its name. Frames keep the stream's timestamps
   * (-copyts), which is the timeline overlays and recordings are keyed by.
   */
  input?: () => Readable;
}

export interface ResolvedFrameSourceOptions {
  width: number;
  height: number;
  resize: 'letterbox' | 'stretch';
  letterboxAlign: 'top-left' | 'center';
  padValue: number;
  pixelFormat: 'rgb24' | 'bgr24';
  fps: number | undefined;
  scaler: Scaler;
  decodeThreads: number;
  overflow: OverflowPolicy;
  queueSize: number;
  ffmpegPath: string | undefined;
  startupTimeoutMs: number;
  stallTimeoutMs: number;
  reconnect: ResolvedReconnectOptions;
  /** Frame pts are the input's own timestamps (a shared feed's timeline), not rebased per ffmpeg run. */
  keepSourceTimestamps: boolean;
  input: (() => Readable) | undefined;
}

const MAX_DIMENSION = 8192;

/** Check options from outside (config files, CLI) and fill in defaults; throws SourceError 'invalid-options'. */
export function resolveFrameSourceOptions(
  options: FrameSourceOptions,
  live: boolean,
  source: string,
): ResolvedFrameSourceOptions {
  const problems: string[] = [];
  const integerIn = (name: string, value: unknown, min: number, max: number) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
    }
  };
  const positive = (name: string, value: unknown) => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      problems.push(`${name} must be a positive number (got ${String(value)})`);
    }
  };
  const oneOf = (name: string, value: unknown, allowed: readonly string[]) => {
    if (value !== undefined && !allowed.includes(value as string)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got ${String(value)})`);
    }
  };
  integerIn('width', options.width, 1, MAX_DIMENSION);
  integerIn('height', options.height, 1, MAX_DIMENSION);
  if (options.padValue !== undefined) integerIn('padValue', options.padValue, 0, 255);
  if (options.queueSize !== undefined) integerIn('queueSize', options.queueSize, 1, 1000);
  if (options.decodeThreads !== undefined) integerIn('decodeThreads', options.decodeThreads, 0, 64);
  oneOf('resize', options.resize, ['letterbox', 'stretch']);
  oneOf('letterboxAlign', options.letterboxAlign, ['top-left', 'center']);
  oneOf('pixelFormat', options.pixelFormat, ['rgb24', 'bgr24']);
  oneOf('scaler', options.scaler, SCALERS);
  oneOf('overflow', options.overflow, ['drop-oldest', 'pause']);
  oneOf('rtspTransport', options.rtspTransport, ['tcp', 'udp']);
  positive('fps', options.fps);
  positive('startupTimeoutMs', options.startupTimeoutMs);
  positive('stallTimeoutMs', options.stallTimeoutMs);
  const reconnect = { ...DEFAULT_RECONNECT, ...definedOnly(options.reconnect ?? {}) };
  positive('reconnect.initialDelayMs', reconnect.initialDelayMs);
  positive('reconnect.maxDelayMs', reconnect.maxDelayMs);
  if (!(reconnect.jitter >= 0 && reconnect.jitter <= 1)) problems.push(`reconnect.jitter must be from 0 to 1`);
  if (!(reconnect.maxAttempts >= 0)) problems.push(`reconnect.maxAttempts must be 0 or more`);
  if (options.input !== undefined && typeof options.input !== 'function') problems.push('input must be a function');
  if (options.extraInputArgs !== undefined && !options.extraInputArgs.every((a) => typeof a === 'string')) {
    problems.push('extraInputArgs must be strings');
  }
  if (problems.length > 0) {
    throw new SourceError('invalid-options', `invalid frame source options for ${source}: ${problems.join('; ')}`, source);
  }
  return {
    width: options.width,
    height: options.height,
    resize: options.resize ?? 'letterbox',
    letterboxAlign: options.letterboxAlign ?? 'top-left',
    padValue: options.padValue ?? 114,
    pixelFormat: options.pixelFormat ?? 'rgb24',
    fps: options.fps,
    scaler: options.scaler ?? 'area',
    decodeThreads: options.decodeThreads ?? 1,
    overflow: options.overflow ?? (live ? 'drop-oldest' : 'pause'),
    queueSize: options.queueSize ?? 3,
    ffmpegPath: options.ffmpegPath,
    startupTimeoutMs: options.startupTimeoutMs ?? 15_000,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    reconnect,
    keepSourceTimestamps: options.input !== undefined,
    input: options.input,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
