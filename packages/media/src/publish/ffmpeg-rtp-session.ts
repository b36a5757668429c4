import { spawn, type ChildProcessByStdio } from 'node:child_process';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { reapOnExit, withParentDeathSignal } from './child-reaper.js';
import { isRtcp, readRtpHeader, type RtpHeader } from './rtp-packet.js';

export interface SessionExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when ffmpeg could not be started at all (not on the PATH, not executable). */
  spawnError?: Error;
  /** Whether we asked it to stop. */
  requested: boolean;
  /** The last lines ffmpeg logged: the reason, when it failed. */
  stderrTail: string[];
}

/** What ffmpeg's log says about the input. */
export interface InputInfo {
  /** The video codec, as ffmpeg names it (h264, hevc, mjpeg, rawvideo, ...). */
  videoCodec?: string;
  durationSeconds?: number;
}

interface SessionEvents {
  packet: [packet: Buffer, header: RtpHeader];
  /** The input has been opened and its streams are known. */
  input: [info: InputInfo];
  exit: [exit: SessionExit];
}

const STDERR_TAIL_LINES = 30;
/** After SIGTERM, how long ffmpeg gets to close its input cleanly (an RTSP TEARDOWN) before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** A keyframe at 1080p is a burst of a few hundred packets; the default socket buffer is too small for that. */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * One ffmpeg process writing RTP to a UDP socket of its own on 127.0.0.1. The encoder runs one of these at a time,
 * two while it switches to a fresh one; packets are told apart by the socket they arrive on.
 */
export class FfmpegRtpSession extends EventEmitter<SessionEvents> {
  readonly startedAt = performance.now();
  firstPacketAt: number | undefined;
  packets = 0;
  readonly input: InputInfo = {};
  #exit: SessionExit | undefined;
  #exited: Promise<SessionExit>;
  #stopRequested = false;
  #stderrTail: string[] = [];
  #inInputSection = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly child: ChildProcessByStdio<null, null, Readable>,
  ) {
    super();
    reapOnExit(child);
    socket.on('message', (packet, from) => this.#onDatagram(packet, from.address));
    // Errors on a loopback socket we own are not actionable; the session's fate is decided by ffmpeg's exit.
    socket.on('error', () => undefined);
    this.#exited = new Promise((resolve) => {
      let spawnError: Error | undefined;
      child.once('error', (error) => {
        spawnError = error;
        // No process was created, so 'exit' will not follow.
        if (child.pid === undefined) this.#finish({ code: null, signal: null, spawnError }, resolve);
      });
      // 'close' rather than 'exit': it comes after stderr has been read to the end, so the tail holds the reason.
      child.once('close', (code, signal) => this.#finish({ code, signal, spawnError }, resolve));
    });
    child.stderr.setEncoding('utf8');
    forEachLine(child.stderr, (line) => this.#onLogLine(line));
  }

  /** Bind a socket on 127.0.0.1 and start ffmpeg with the arguments `buildArgs` makes for that port. */
  static async open(ffmpegPath: string, buildArgs: (port: number) => string[]): Promise<FfmpegRtpSession> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const { command, args } = withParentDeathSignal(ffmpegPath, buildArgs(socket.address().port));
    // stdout carries only the SDP ffmpeg prints for an RTP output, which nobody needs.
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return new FfmpegRtpSession(socket, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exitInfo(): SessionExit | undefined {
    return this.#exit;
  }

  get exited(): Promise<SessionExit> {
    return this.#exited;
  }

  /** Stop ffmpeg (SIGTERM, then SIGKILL after a grace period) and resolve once it has exited. */
  kill(): Promise<SessionExit> {
    this.#stopRequested = true;
    if (this.#exit === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS);
      void this.#exited.then(() => clearTimeout(timer));
    }
    return this.#exited;
  }

  #finish(exit: Omit<SessionExit, 'requested' | 'stderrTail'>, resolve: (exit: SessionExit) => void): void {
    if (this.#exit !== undefined) return;
    this.#exit = { ...exit, requested: this.#stopRequested, stderrTail: this.#stderrTail };
    this.socket.close();
    resolve(this.#exit);
    this.emit('exit', this.#exit);
  }

  #onDatagram(packet: Buffer, fromAddress: string): void {
    if (fromAddress !== '127.0.0.1' || this.#exit !== undefined || isRtcp(packet)) return;
    const header = readRtpHeader(packet);
    if (header === undefined) return;
    this.packets++;
    this.firstPacketAt ??= performance.now();
    this.emit('packet', packet, header);
  }

  #onLogLine(line: string): void {
    this.#stderrTail.push(line);
    if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
    // The log lists the input's streams between "Input #0" and "Stream mapping"/"Output #0".
    if (line.startsWith('Input #0')) {
      this.#inInputSection = true;
      return;
    }
    if (!this.#inInputSection) return;
    if (line.startsWith('Stream mapping') || line.startsWith('Output #')) {
      this.#inInputSection = false;
      this.emit('input', this.input);
      return;
    }
    const duration = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(line);
    if (duration) {
      this.input.durationSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
    }
    const video = /Stream #0:\d+.*?: Video: (\w+)/.exec(line);
    if (video && this.input.videoCodec === undefined) this.input.videoCodec = video[1];
  }
}

function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) onLine(line);
  });
  stream.on('end', () => {
    if (partial.length > 0) onLine(partial);
  });
}
