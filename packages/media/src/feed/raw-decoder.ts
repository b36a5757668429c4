import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { reapOnExit, withParentDeathSignal } from '../publish/child-reaper.js';
import { FfmpegLogTail } from './ffmpeg-log-tail.js';
import type { PictureFeed } from './ts-tap.js';

/** A decoded picture in planar YUV 4:2:0 (I420), the layout x264 takes without conversion. */
export interface RawPicture {
  /** The feed's pts (90 kHz). */
  pts: number;
  width: number;
  height: number;
  data: Buffer;
}

/** The start of the next access unit: ffmpeg's H.264 parser knows the previous picture is whole when it sees it. */
const ACCESS_UNIT_DELIMITER = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);

export const i420Bytes = (width: number, height: number) => width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);

interface RawDecoderEvents {
  picture: [picture: RawPicture];
  exit: [reason: string];
}

const SHOWINFO = /\bn:\s*\d+\s+pts:\s*(-?\d+)\s.*?\bs:(\d+)x(\d+)/;

/**
 * ffmpeg decoding an MPEG-TS stream (a feed tap) into I420 pictures at full size, each with the feed's pts. The
 * timestamps and sizes come from showinfo lines on stderr and are paired in order with the pictures on stdout, the
 * way the vision frame source does it; -copyts keeps the pts on the feed's timeline (the time base is 1/90000).
 */
export class RawVideoDecoder extends EventEmitter<RawDecoderEvents> {
  #child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  readonly #infos: { pts: number; width: number; height: number }[] = [];
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #tail = new FfmpegLogTail();
  /** Raw-input mode: the pictures written and not yet decoded, in order (no B-frames: decoding order is display order). */
  readonly #undecoded: { pts: number; keyframe: boolean; writtenAt: number }[] = [];

  constructor(private readonly ffmpegPath = 'ffmpeg') {
    super();
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Decode an MPEG-TS stream (a tap); each picture's pts is read from the stream (-copyts). */
  start(input: Readable): void {
    const child = this.#spawn(['-copyts', '-f', 'mpegts', '-i', 'pipe:0']);
    input.on('error', () => undefined);
    input.pipe(child.stdin);
    child.once('close', () => input.destroy());
  }

  /**
   * Decode a picture source directly, with one frame less latency than a tap: each picture goes to ffmpeg as raw
   * H.264 followed by an access unit delimiter, which tells ffmpeg's parser at once that the picture is complete
   * (over MPEG-TS, the parser waits for the next picture). Raw H.264 carries no timestamps, so the source must have
   * no B-frames: pictures then come out in the order they went in, and each takes the pts of the oldest picture not
   * yet decoded. Should the decoder ever skip a broken picture, every keyframe puts the two back in step. When the
   * oldest picture waiting in the decoder was written more than `maxLagMs` ago, the decoder cannot keep up: the source
   * skips to its next keyframe. (A replayed GOP is written at once and decoded fast; it is no backlog.)
   */
  startPictures(source: PictureFeed, options: { maxLagMs?: number } = {}): void {
    const child = this.#spawn(['-f', 'h264', '-i', 'pipe:0']);
    const maxLagMs = options.maxLagMs ?? 500;
    let waitingForKeyframe = false;
    const unsubscribe = source.subscribe(
      (unit) => {
        if (!child.stdin.writable) return;
        const oldest = this.#undecoded[0];
        if (oldest !== undefined && performance.now() - oldest.writtenAt > maxLagMs) waitingForKeyframe = true;
        if (waitingForKeyframe && !unit.keyframe) return;
        waitingForKeyframe = false;
        this.#undecoded.push({ pts: unit.pts, keyframe: unit.keyframe, writtenAt: performance.now() });
        child.stdin.write(unit.data);
        child.stdin.write(ACCESS_UNIT_DELIMITER);
      },
      { replay: true },
    );
    child.once('close', unsubscribe);
  }

  /** The pts of the picture the decoder just reported, in raw-input mode. */
  #nextRawPts(keyframe: boolean): number | undefined {
    if (keyframe && this.#undecoded.some((u) => u.keyframe)) {
      while (this.#undecoded.length > 0 && !this.#undecoded[0]!.keyframe) this.#undecoded.shift();
    }
    return this.#undecoded.shift()?.pts;
  }

  #spawn(input: string[]): ChildProcessByStdio<Writable, Readable, Readable> {
    const args = [
      '-hide_banner', '-nostats', '-loglevel', 'info',
      '-threads', '1', '-probesize', '32', '-analyzeduration', '0', ...input,
      '-map', '0:v:0', '-vf', 'showinfo', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-vsync', 'passthrough', 'pipe:1',
    ];
    const { command, args: launch } = withParentDeathSignal(this.ffmpegPath, args);
    const child = spawn(command, launch, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    reapOnExit(child);
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => this.#onData(chunk));
    child.stdout.on('error', () => undefined);
    child.stderr.setEncoding('utf8');
    let rest = '';
    const rawInput = input.includes('h264');
    child.stderr.on('data', (text: string) => {
      this.#tail.push(text);
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const match = SHOWINFO.exec(line);
        if (match && line.includes('showinfo')) {
          const pts = rawInput ? this.#nextRawPts(/\biskey:1\b/.test(line)) : Number(match[1]);
          if (pts === undefined) continue;
          this.#infos.push({ pts, width: Number(match[2]), height: Number(match[3]) });
          this.#drain();
        }
      }
    });
    child.once('error', () => undefined);
    child.once('close', () => {
      this.#child = undefined;
      this.emit('exit', this.#tail.reason());
    });
    return child;
  }

  stop(): void {
    this.#child?.kill('SIGKILL');
  }

  #onData(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#drain();
  }

  /** Hands over every picture whose bytes and showinfo line have both arrived. */
  #drain(): void {
    while (this.#infos.length > 0) {
      const info = this.#infos[0]!;
      const size = i420Bytes(info.width, info.height);
      if (this.#pendingBytes < size) return;
      const all = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
      const data = Buffer.from(all.subarray(0, size));
      const rest = all.subarray(size);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#pendingBytes = rest.length;
      this.#infos.shift();
      this.emit('picture', { pts: info.pts, width: info.width, height: info.height, data });
    }
  }
}
