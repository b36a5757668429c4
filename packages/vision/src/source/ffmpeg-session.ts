import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { registerChild } from '../util/child-registry.js';
import { ffmpegNotFound } from './ffmpeg-binary.js';
import {
  classifyFfmpegFailure,
  isErrorLevel,
  parseFfmpegLogLine,
  parseShowinfoFrame,
  parseShowinfoTimeBase,
  type FfmpegLogLine,
} from './ffmpeg-log.js';
import { redactCredentials } from './redact.js';
import { SourceError, type SourceErrorCode } from './source-error.js';

/** A frame as one ffmpeg run produced it, before the source gives it an index and a global pts. */
export interface RawFrame {
  data: Buffer;
  /** Seconds on this run's timeline; null when ffmpeg gave the frame no timestamp. */
  pts: number | null;
  sourceWidth: number;
  sourceHeight: number;
}

export type SessionEnd =
  | { kind: 'eof'; framesReceived: number }
  | { kind: 'failed'; error: SourceError; framesReceived: number }
  | { kind: 'stopped'; framesReceived: number };

export interface FfmpegSessionParams {
  ffmpegPath: string;
  args: string[];
  /** Bytes in one output frame. */
  frameBytes: number;
  /** The source for messages (credentials redacted). */
  display: string;
  startupTimeoutMs: number;
  /** No stall detection when null (files). */
  stallTimeoutMs: number | null;
  onFrame: (frame: RawFrame) => void;
  /** Warnings and errors ffmpeg logs (redacted). */
  onLog: (line: FfmpegLogLine) => void;
  /** A stream to feed ffmpeg's stdin (the input is then `pipe:0`). */
  stdin?: () => Readable;
}

/** After SIGTERM, how long ffmpeg gets to close cleanly (RTSP TEARDOWN) before SIGKILL. */
const KILL_GRACE_MS = 2000;
const KEPT_ERROR_LINES = 20;
const DEPRECATED_VSYNC = /-vsync is deprecated/;

const FAILURE_PREFIX: Record<SourceErrorCode, string> = {
  'invalid-options': 'ffmpeg rejected the options for',
  'ffmpeg-not-found': 'ffmpeg could not be started for',
  'not-found': 'source not found:',
  undecodable: 'no decodable video in',
  unauthorized: 'credentials refused by',
  'connection-failed': 'connection failed to',
  'startup-timeout': 'no frame in time from',
  stalled: 'frames stopped arriving from',
  'ended-unexpectedly': 'stream ended:',
  'ffmpeg-failed': 'ffmpeg failed on',
};

/**
 * One ffmpeg process decoding a source into fixed-size raw frames on stdout. Frame timestamps and
 * source sizes come from showinfo lines on stderr; the two pipes are read independently, so frames
 * and lines are paired in order as both arrive. Ends exactly once, reported by `ended`.
 */
export class FfmpegSession {
  readonly ended: Promise<SessionEnd>;
  private resolveEnded!: (end: SessionEnd) => void;
  private child: ChildProcessByStdio<Writable | null, Readable, Readable> | null = null;
  private current: Buffer | null = null;
  private filled = 0;
  private readonly framesAwaitingInfo: Buffer[] = [];
  private readonly infoAwaitingFrames: { pts: number | null; width: number; height: number }[] = [];
  private secondsPerTick: number | null = null;
  private stderrRest = '';
  private readonly errorLines: string[] = [];
  private framesReceived = 0;
  private lastProgressMs = 0;
  private paused = false;
  private stopRequested = false;
  private failure: SourceError | null = null;
  private startupTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly maxFramesAwaitingInfo: number;

  constructor(private readonly params: FfmpegSessionParams) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    // Frames normally trail their showinfo line; this many unmatched ones means the log is unusable.
    this.maxFramesAwaitingInfo = Math.max(32, Math.ceil((8 << 20) / params.frameBytes));
  }

  start(): void {
    const { ffmpegPath, args } = this.params;
    const stdin = this.params.stdin?.();
    const child = spawn(ffmpegPath, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] }) as ChildProcessByStdio<
      Writable | null,
      Readable,
      Readable
    >;
    this.child = child;
    registerChild(child);
    if (stdin && child.stdin) {
      // ffmpeg exiting closes the pipe under us: that is its exit to report, not an error to throw.
      child.stdin.on('error', () => {});
      stdin.on('error', () => {});
      stdin.pipe(child.stdin);
      child.once('close', () => stdin.destroy());
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        this.finish({ kind: 'failed', error: ffmpegNotFound(ffmpegPath, this.params.display, err), framesReceived: 0 });
      }
    });
    // A failing pipe also ends ffmpeg, and its exit is what gets reported; without a listener the
    // stream error would be thrown instead.
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => this.onStderr(text));
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => this.onClose(code, signal));
    this.lastProgressMs = Date.now();
    this.startupTimer = setTimeout(
      () =>
        this.abort(
          'startup-timeout',
          `no frame from ${this.params.display} within ${this.params.startupTimeoutMs} ms`,
        ),
      this.params.startupTimeoutMs,
    );
    const stall = this.params.stallTimeoutMs;
    if (stall !== null) {
      this.stallTimer = setInterval(() => this.checkStall(stall), Math.max(50, Math.min(1000, stall / 4)));
    }
  }

  /** Stop reading frames: ffmpeg blocks once the pipe is full. */
  pause(): void {
    if (this.paused || !this.child) return;
    this.paused = true;
    this.child.stdout.pause();
  }

  resume(): void {
    if (!this.paused || !this.child) return;
    this.paused = false;
    // Time spent waiting on our consumer is not the stream stalling.
    this.lastProgressMs = Date.now();
    this.child.stdout.resume();
  }

  /** Kill ffmpeg; resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.kill();
    await this.ended;
  }

  private abort(code: SourceErrorCode, message: string): void {
    if (this.failure !== null || this.stopRequested) return;
    this.failure = new SourceError(code, message, this.params.display, this.errorLines.at(-1));
    this.kill();
  }

  private kill(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Closing our end first makes a write-blocked ffmpeg (paused consumer) fail at once with EPIPE.
    child.stdout.destroy();
    child.kill('SIGTERM');
    this.killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  }

  private checkStall(stallMs: number): void {
    if (this.paused || this.framesReceived === 0) return;
    const idle = Date.now() - this.lastProgressMs;
    if (idle > stallMs) this.abort('stalled', `no frame from ${this.params.display} for ${idle} ms`);
  }

  private onStdout(chunk: Buffer): void {
    const { frameBytes } = this.params;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.current === null) {
        this.current = Buffer.allocUnsafe(frameBytes);
        this.filled = 0;
      }
      const copied = chunk.copy(this.current, this.filled, offset, offset + (frameBytes - this.filled));
      offset += copied;
      this.filled += copied;
      if (this.filled === frameBytes) {
        this.framesAwaitingInfo.push(this.current);
        this.current = null;
        this.pairFrames();
      }
    }
    if (this.framesAwaitingInfo.length > this.maxFramesAwaitingInfo) {
      this.abort(
        'ffmpeg-failed',
        `ffmpeg sent frames of ${this.params.display} without showinfo timestamps; this ffmpeg build logs differently`,
      );
    }
  }

  private onStderr(text: string): void {
    const lines = (this.stderrRest + text).split(/\r?\n|\r/);
    this.stderrRest = lines.pop() ?? '';
    for (const raw of lines) if (raw.length > 0) this.onLogLine(raw);
  }

  private onLogLine(raw: string): void {
    const line = parseFfmpegLogLine(raw);
    const frame = parseShowinfoFrame(line);
    if (frame !== null) {
      const pts =
        frame.pts !== null && this.secondsPerTick !== null ? frame.pts * this.secondsPerTick : frame.ptsTime;
      this.infoAwaitingFrames.push({ pts, width: frame.width, height: frame.height });
      this.pairFrames();
      return;
    }
    const timeBase = parseShowinfoTimeBase(line);
    if (timeBase !== null) {
      this.secondsPerTick = timeBase;
      return;
    }
    // Chatter, ffmpeg's reaction to our own kill (broken pipe), and the -vsync notice (see ffmpeg-args.ts).
    if (line.level === 'info' || this.stopRequested || DEPRECATED_VSYNC.test(line.message)) return;
    const redacted: FfmpegLogLine = { ...line, message: redactCredentials(line.message) };
    if (isErrorLevel(line.level)) {
      this.errorLines.push(redacted.context ? `${redacted.context}: ${redacted.message}` : redacted.message);
      if (this.errorLines.length > KEPT_ERROR_LINES) this.errorLines.shift();
    }
    this.params.onLog(redacted);
  }

  private pairFrames(): void {
    while (this.framesAwaitingInfo.length > 0 && this.infoAwaitingFrames.length > 0) {
      const data = this.framesAwaitingInfo.shift() as Buffer;
      const info = this.infoAwaitingFrames.shift() as { pts: number | null; width: number; height: number };
      this.deliver({ data, pts: info.pts, sourceWidth: info.width, sourceHeight: info.height });
    }
  }

  private deliver(frame: RawFrame): void {
    if (this.stopRequested || this.failure !== null) return;
    this.framesReceived++;
    this.lastProgressMs = Date.now();
    if (this.framesReceived === 1) clearTimeout(this.startupTimer);
    this.params.onFrame(frame);
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    const framesReceived = this.framesReceived;
    if (this.stopRequested) return this.finish({ kind: 'stopped', framesReceived });
    if (this.failure !== null) return this.finish({ kind: 'failed', error: this.failure, framesReceived });
    if (code === 0) {
      if (this.framesAwaitingInfo.length === 0) return this.finish({ kind: 'eof', framesReceived });
      const error = new SourceError(
        'ffmpeg-failed',
        `ffmpeg sent ${this.framesAwaitingInfo.length} frames of ${this.params.display} without showinfo timestamps`,
        this.params.display,
      );
      return this.finish({ kind: 'failed', error, framesReceived });
    }
    const { code: failureCode, line } = classifyFfmpegFailure(this.errorLines);
    const exit = signal !== null ? `ffmpeg was killed by ${signal}` : `ffmpeg exited with code ${code}`;
    // ffmpeg prefixes input errors with the URL, which the message already names once.
    const reason = line?.startsWith(`${this.params.display}: `) ? line.slice(this.params.display.length + 2) : line;
    const error = new SourceError(
      failureCode,
      `${FAILURE_PREFIX[failureCode]} ${this.params.display}: ${reason ?? exit}`,
      this.params.display,
      line,
    );
    this.finish({ kind: 'failed', error, framesReceived });
  }

  private finish(end: SessionEnd): void {
    clearTimeout(this.startupTimer);
    clearInterval(this.stallTimer);
    clearTimeout(this.killTimer);
    this.resolveEnded(end);
  }
}
