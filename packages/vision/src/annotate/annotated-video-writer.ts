import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { AnnotateError } from './annotate-error.js';
import { registerChild } from '../util/child-registry.js';
import { resolveFfmpegPath } from '../source/ffmpeg-binary.js';
import { X264_PRESETS, annotatedVideoArgs, type X264Preset } from './ffmpeg-args.js';
import { MAX_IMAGE_SIDE } from './raster-image.js';

export interface AnnotatedVideoWriterOptions {
  outputPath: string;
  /** Size of every frame written, in pixels. */
  width: number;
  height: number;
  /** Frames per second of the output; the source's rate keeps the video in real time. */
  fps: number;
  /** The ffmpeg executable; $SIGHTLINE_FFMPEG, then `ffmpeg` on the PATH, when absent. */
  ffmpegPath?: string;
  pixelFormat?: 'rgb24' | 'bgr24';
  /**
   * x264 speed/size trade-off. `ultrafast` by default: on a two-core box the encoder shares the CPU with the
   * detector, and there it runs 720p about 2.4× faster than `veryfast` for a file about twice the size.
   */
  preset?: X264Preset;
  /** x264 constant quality, 0 (lossless) to 51; 23 is x264's default. */
  crf?: number;
}

interface EncoderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
}

type WriterState = 'open' | 'closing' | 'closed' | 'failed' | 'aborted';

const STDERR_TAIL_BYTES = 4096;

/**
 * Encodes packed 8-bit frames of one fixed size into an H.264 MP4 through an ffmpeg child process.
 * Call `writeFrame` for each frame (it waits while ffmpeg catches up), then `close()` to finish the file,
 * or `abort()` to stop and discard it.
 */
export class AnnotatedVideoWriter {
  readonly outputPath: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameBytes: number;

  readonly #child: ChildProcessByStdio<Writable, null, Readable>;
  readonly #exit: Promise<EncoderExit>;
  readonly #ffmpegPath: string;
  #stderrTail = '';
  #state: WriterState = 'open';
  #framesWritten = 0;
  #closing: Promise<void> | null = null;

  constructor(options: AnnotatedVideoWriterOptions) {
    const settings = validateOptions(options);
    this.outputPath = settings.outputPath;
    this.width = settings.width;
    this.height = settings.height;
    this.fps = settings.fps;
    this.frameBytes = settings.width * settings.height * 3;
    this.#ffmpegPath = resolveFfmpegPath(options.ffmpegPath);

    this.#child = spawn(this.#ffmpegPath, annotatedVideoArgs(settings), { stdio: ['pipe', 'ignore', 'pipe'] });
    registerChild(this.#child);
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // A write to an encoder that died fails with EPIPE; the exit status and stderr explain why, so that is
    // what callers get, and the stream error itself needs no listener beyond this one.
    this.#child.stdin.on('error', () => {});
    this.#exit = new Promise((resolve) => {
      this.#child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
      this.#child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /** The encoder's process id, while it has one. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get framesWritten(): number {
    return this.#framesWritten;
  }

  /**
   * Queue one frame and wait until ffmpeg has taken it, so a slow encoder slows the caller down instead of
   * piling frames up in memory. The buffer may be reused once the promise resolves.
   */
  async writeFrame(frame: Uint8Array): Promise<void> {
    if (this.#state !== 'open') {
      throw new AnnotateError('writer-closed', `cannot write a frame: the writer for "${this.outputPath}" is ${this.#state}`);
    }
    if (frame.length !== this.frameBytes) {
      throw new AnnotateError(
        'invalid-frame',
        `a ${this.width}×${this.height} frame must be ${this.frameBytes} bytes, got ${frame.length}`,
      );
    }
    const flushed = new Promise<boolean>((resolve) => {
      this.#child.stdin.write(frame, (err) => resolve(!err));
    });
    const outcome = await Promise.race([flushed, this.#exit.then(() => false)]);
    // An abort while the frame was in flight wins, whether or not the pipe had taken the bytes yet.
    if (this.#currentState() === 'aborted') {
      throw new AnnotateError('writer-closed', `the writer for "${this.outputPath}" was aborted while a frame was being written`);
    }
    if (!outcome) {
      const exit = await this.#exit;
      this.#state = 'failed';
      throw this.#failure(exit);
    }
    this.#framesWritten++;
  }

  /** The state as it is now; a method so TypeScript does not carry a narrowing across an await. */
  #currentState(): WriterState {
    return this.#state;
  }

  /** Finish the file: end ffmpeg's input and wait for it to write the index. Rejects with ffmpeg's stderr on failure. */
  close(): Promise<void> {
    if (this.#state === 'aborted') {
      return Promise.reject(new AnnotateError('writer-closed', `cannot close: the writer for "${this.outputPath}" was aborted`));
    }
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    this.#child.stdin.end();
    const exit = await this.#exit;
    if (this.#state === 'closing' && exit.code === 0) {
      this.#state = 'closed';
      return;
    }
    this.#state = 'failed';
    throw this.#failure(exit);
  }

  /** Stop at once: kill ffmpeg, wait until it is gone and delete the unfinished file. A no-op after a successful close. */
  async abort(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    this.#child.stdin.destroy();
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.#exit;
    // Without its index (written last) an interrupted MP4 is unplayable, so keep no half file around.
    await rm(this.outputPath, { force: true });
  }

  #failure(exit: EncoderExit): AnnotateError {
    if (exit.spawnError) {
      const code = (exit.spawnError as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') {
        return new AnnotateError(
          'ffmpeg-not-found',
          `cannot run ffmpeg at "${this.#ffmpegPath}" (${code}): install ffmpeg or set SIGHTLINE_FFMPEG to its path`,
          { cause: exit.spawnError },
        );
      }
      return new AnnotateError('ffmpeg-failed', `cannot start ffmpeg at "${this.#ffmpegPath}": ${exit.spawnError.message}`, {
        cause: exit.spawnError,
      });
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === 0 ? 'stopped reading frames early' : `exited with code ${exit.code}`;
    const stderr = this.#stderrTail.trim();
    return new AnnotateError(
      'ffmpeg-failed',
      `ffmpeg ${how} while writing the annotated video "${this.outputPath}"` +
        (stderr ? `; ffmpeg said:\n${stderr}` : ' (no output on stderr)'),
    );
  }
}

function validateOptions(o: AnnotatedVideoWriterOptions) {
  const problems: string[] = [];
  if (typeof o.outputPath !== 'string' || o.outputPath.length === 0) problems.push('outputPath must be a non-empty path');
  for (const [name, v] of [['width', o.width], ['height', o.height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_IMAGE_SIDE) problems.push(`${name} must be a whole number in 1..${MAX_IMAGE_SIDE}, got ${v}`);
  }
  if (!Number.isFinite(o.fps) || o.fps <= 0 || o.fps > 1000) problems.push(`fps must be in (0, 1000], got ${o.fps}`);
  const crf = o.crf ?? 23;
  if (!Number.isFinite(crf) || crf < 0 || crf > 51) problems.push(`crf must be in 0..51, got ${crf}`);
  const preset = o.preset ?? 'ultrafast';
  if (!X264_PRESETS.includes(preset)) problems.push(`preset must be one of ${X264_PRESETS.join(', ')}, got ${String(preset)}`);
  if (problems.length > 0) throw new AnnotateError('invalid-argument', `invalid annotated video options: ${problems.join('; ')}`);
  return {
    outputPath: o.outputPath,
    width: o.width,
    height: o.height,
    fps: o.fps,
    pixelFormat: o.pixelFormat ?? 'rgb24',
    preset,
    crf,
  };
}
