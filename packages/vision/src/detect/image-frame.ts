import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fitGeometry, type Frame } from '../frame.js';
import type { InputSpec } from './input-spec.js';

const run = promisify(execFile);

export interface DecodeImageOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /**
   * ffmpeg scaler flags; default 'bicubic' (ffmpeg's own default, which reproduces the MANIFEST references for
   * YOLOX and YOLOv8). FastestDet was trained with cv2 INTER_AREA: use 'area' for it.
   */
  scaleFlags?: string;
  /** Decode this frame of a video (0-based, in decode order) instead of the first. */
  frameIndex?: number;
}

/** Source size of an image or video's first video stream, via ffprobe. */
export async function probeImageSize(path: string, ffprobePath = 'ffprobe'): Promise<{ width: number; height: number }> {
  const { stdout } = await run(ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path,
  ]);
  const [w, h] = stdout.trim().split(',').map(Number);
  if (!w || !h) throw new Error(`ffprobe found no picture size in ${path}: "${stdout.trim()}"`);
  return { width: w, height: h };
}

/**
 * Decode a still image (or one frame of a video, see `frameIndex`) into a Frame the way a model wants it (size, letterbox or stretch, alignment,
 * padding, pixel format), with the exact geometry to map boxes back. For tests and benchmarks.
 */
export async function decodeImageToFrame(path: string, spec: InputSpec, options: DecodeImageOptions = {}): Promise<Frame> {
  const src = await probeImageSize(path, options.ffprobePath);
  const flags = options.scaleFlags ?? spec.scaler ?? 'bicubic';
  let filter: string;
  let geometry = fitGeometry(src.width, src.height, spec.width, spec.height, spec.resize, spec.align);
  if (spec.resize === 'stretch') {
    filter = `scale=${spec.width}:${spec.height}:flags=${flags}`;
  } else {
    const scaledW = Math.max(1, Math.min(spec.width, Math.round(src.width * geometry.scaleX)));
    const scaledH = Math.max(1, Math.min(spec.height, Math.round(src.height * geometry.scaleY)));
    const padX = spec.align === 'center' ? Math.floor((spec.width - scaledW) / 2) : 0;
    const padY = spec.align === 'center' ? Math.floor((spec.height - scaledH) / 2) : 0;
    geometry = { scaleX: scaledW / src.width, scaleY: scaledH / src.height, padX, padY };
    const pad = spec.padValue.toString(16).padStart(2, '0');
    filter =
      `scale=${scaledW}:${scaledH}:flags=${flags},` +
      `pad=${spec.width}:${spec.height}:${padX}:${padY}:color=0x${pad}${pad}${pad}`;
  }
  const frameIndex = options.frameIndex ?? 0;
  if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new RangeError(`frameIndex must be a whole number >= 0, got ${frameIndex}`);
  let fpsMode: string[] = [];
  if (frameIndex > 0) {
    // select picks the frame before scaling; passthrough stops ffmpeg duplicating frames to fill the skipped time.
    filter = `select=eq(n\\,${frameIndex}),${filter}`;
    fpsMode = ['-fps_mode', 'passthrough'];
  }
  const { stdout } = await run(
    options.ffmpegPath ?? 'ffmpeg',
    ['-v', 'error', '-i', path, '-frames:v', '1', '-vf', filter, ...fpsMode, '-f', 'rawvideo', '-pix_fmt', spec.pixelFormat, '-'],
    { encoding: 'buffer', maxBuffer: spec.width * spec.height * 3 + 1024 },
  );
  const expected = spec.width * spec.height * 3;
  if (stdout.length !== expected) {
    throw new Error(`ffmpeg gave ${stdout.length} bytes for ${path}${frameIndex > 0 ? ` frame ${frameIndex}` : ''}, expected ${expected}`);
  }
  return {
    index: frameIndex,
    pts: 0,
    data: stdout,
    pixelFormat: spec.pixelFormat,
    width: spec.width,
    height: spec.height,
    sourceWidth: src.width,
    sourceHeight: src.height,
    geometry,
  };
}
