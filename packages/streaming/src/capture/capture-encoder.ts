import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { TsDemuxer, type DemuxedPicture } from '@sightline/media';
import { guardedSpawn } from '../process/guarded-spawn.js';
import { stopChild } from '../process/stop-child.js';
import { x11grabArgs, type X11GrabEncoding } from './x11grab-args.js';

interface CaptureEncoderEvents {
  picture: [picture: DemuxedPicture];
  exit: [reason: string];
}

/** One ffmpeg: x11grab → x264 → MPEG-TS on a pipe → pictures. ScreenCapture runs one, or two while replacing it. */
export class CaptureEncoder extends EventEmitter<CaptureEncoderEvents> {
  readonly startedAt = performance.now();
  readonly #child: ChildProcess;
  readonly #stderr: string[] = [];
  #stopping: Promise<void> | undefined;

  constructor(encoding: X11GrabEncoding, env: { DISPLAY: string; XAUTHORITY: string }, ffmpegPath = 'ffmpeg') {
    super();
    this.#child = guardedSpawn(ffmpegPath, x11grabArgs(encoding), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    const demuxer = new TsDemuxer({ picture: (picture) => this.emit('picture', picture) });
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
