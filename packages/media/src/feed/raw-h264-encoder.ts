import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { reapOnExit, withParentDeathSignal } from '../publish/child-reaper.js';
import type { RawPicture } from './raw-decoder.js';
import { TsDemuxer } from './ts-demuxer.js';

export interface EncodedPicture {
  pts: number;
  keyframe: boolean;
  data: Buffer;
}

export interface RawH264EncoderOptions {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  gopSeconds: number;
  ffmpegPath?: string;
}

interface EncoderEvents {
  picture: [picture: EncodedPicture];
  close: [];
}

/**
 * Raw pictures waiting in x264 beyond this many mean it cannot keep up: newer ones are dropped rather than queued, so
 * a busy machine costs frames, not latency. (A fresh encoder takes a few of them while it starts.)
 */
const MAX_IN_FLIGHT = 8;

/**
 * One x264 process fed I420 pictures on stdin, for WebRTC (constrained baseline, zerolatency, no B-frames, capped
 * bitrate, a keyframe every gopSeconds). ffmpeg knows nothing of the pictures' timestamps: x264 with zerolatency
 * emits exactly one picture per input, in order, so each output takes the pts of the oldest input not yet answered.
 * Its first picture is always an IDR, which is how a keyframe is made on request: start a fresh encoder.
 */
export class RawH264Encoder extends EventEmitter<EncoderEvents> {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #pts: number[] = [];
  #closed = false;
  dropped = 0;

  constructor(readonly options: RawH264EncoderOptions) {
    super();
    const { width, height, fps, bitrateKbps, gopSeconds } = options;
    const bitrate = `${Math.round(bitrateKbps)}k`;
    const args = [
      '-hide_banner', '-nostats', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-framerate', String(Math.round(fps)), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
      '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate,
      '-g', String(Math.max(1, Math.round(fps * gopSeconds))), '-sc_threshold', '0', '-bf', '0',
      '-vsync', 'passthrough',
      '-f', 'mpegts', '-omit_video_pes_length', '0', '-flush_packets', '1', '-muxdelay', '0', '-muxpreload', '0', 'pipe:1',
    ];
    const { command, args: launch } = withParentDeathSignal(options.ffmpegPath ?? 'ffmpeg', args);
    const child = spawn(command, launch, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    reapOnExit(child);
    const demuxer = new TsDemuxer({
      picture: (picture) => {
        const pts = this.#pts.shift();
        if (pts !== undefined) this.emit('picture', { pts, keyframe: picture.keyframe, data: picture.data });
      },
    });
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => demuxer.push(chunk));
    child.stdout.on('error', () => undefined);
    child.stderr.resume();
    child.once('error', () => undefined);
    child.once('close', () => {
      demuxer.flush();
      this.#closed = true;
      this.emit('close');
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get closed(): boolean {
    return this.#closed;
  }

  fits(picture: RawPicture): boolean {
    return picture.width === this.options.width && picture.height === this.options.height;
  }

  /** Queue a picture; false when it was dropped because the encoder is behind or closing. */
  encode(picture: RawPicture): boolean {
    if (this.#closed || !this.#child.stdin.writable || this.#pts.length >= MAX_IN_FLIGHT) {
      this.dropped++;
      return false;
    }
    this.#pts.push(picture.pts);
    this.#child.stdin.write(picture.data);
    return true;
  }

  /** Encode what was queued, then exit. */
  finish(): void {
    if (this.#child.stdin.writable) this.#child.stdin.end();
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}
