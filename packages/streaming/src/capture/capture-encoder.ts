import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { isVp8Keyframe, TsDemuxer, type DemuxedPicture } from '@sightline/media';
import { guardedSpawn } from '../process/guarded-spawn.js';
import { stopChild } from '../process/stop-child.js';
import { IvfReader } from './ivf-reader.js';
import { CAPTURE_CONTAINER, x11grabArgs, type X11GrabEncoding } from './x11grab-args.js';

interface CaptureEncoderEvents {
  picture: [picture: DemuxedPicture];
  exit: [reason: string];
}

/**
 * One ffmpeg: x11grab → x264 → MPEG-TS on a pipe → pictures, or x11grab → libvpx → IVF → VP8 frames (pts on the same
 * 90 kHz wall clock). ScreenCapture runs one, or two while replacing it.
 */
export class CaptureEncoder extends EventEmitter<CaptureEncoderEvents> {
  readonly startedAt = performance.now();
  /** The settings it was started with. */
  readonly encoding: X11GrabEncoding;
  readonly #child: ChildProcess;
  readonly #stderr: string[] = [];
  #stopping: Promise<void> | undefined;

  constructor(encoding: X11GrabEncoding, env: { DISPLAY: string; XAUTHORITY: string }, ffmpegPath = 'ffmpeg') {
    super();
    this.encoding = encoding;
    this.#child = guardedSpawn(ffmpegPath, x11grabArgs(encoding), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    const demuxer =
      CAPTURE_CONTAINER[encoding.codec ?? 'h264'] === 'ivf'
        ? this.#ivfReader()
        : new TsDemuxer({ picture: (picture) => this.emit('picture', picture) });
    this.#child.stdout!.on('data', (chunk: Buffer) => demuxer.push(chunk));
    this.#child.stdout!.on('error', () => undefined);
    this.#child.stderr!.setEncoding('utf8');
    this.#child.stderr!.on('data', (text: string) => {
      this.#stderr.push(...text.split('\n').filter(Boolean));
      if (this.#stderr.length > 20) this.#stderr.splice(0, this.#stderr.length - 20);
    });
    let spawnError: Error | undefined;
    this.#child.once('error', (error) => (spawnError = error));
    this.#child.once('close', (code, signal) => {
      demuxer.flush();
      const detail = spawnError ? spawnError.message : (this.#stderr.slice(-3).join(' | ') || `code ${code}, signal ${signal}`);
      this.emit('exit', `ffmpeg (x11grab) exited: ${detail}`);
    });
  }

  /** VP8 in IVF: each frame with its pts (already on the 90 kHz clock, which -enc_time_base asks for) and key flag. */
  #ivfReader(): { push(chunk: Buffer): void; flush(): void } {
    let scale = 1;
    const reader = new IvfReader({
      header: ({ timebaseNum, timebaseDen }) => (scale = (90_000 * timebaseNum) / timebaseDen),
      frame: ({ pts, data }) => {
        const ticks = Math.round(pts * scale);
        this.emit('picture', { pts: ticks, dts: ticks, keyframe: isVp8Keyframe(data), data });
      },
      error: (error) => {
        // Counts as a crash (the exit reason says why): ScreenCapture replaces a crashed encoder.
        this.#stderr.push(error.message);
        this.#child.kill('SIGKILL');
      },
    });
    return { push: (chunk) => reader.push(chunk), flush: () => undefined };
  }

  get pid(): number | undefined {
    return this.#child.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  stop(): Promise<void> {
    this.#stopping ??= stopChild(this.#child, { graceMs: 500, group: false });
    return this.#stopping;
  }
}
