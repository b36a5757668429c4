import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishLog } from '@sightline/media';
import { guardedSpawn } from '../process/guarded-spawn.js';
import { stopChild } from '../process/stop-child.js';
import { connectX, socketPath } from './x-connection.js';
import { newCookie, xauthorityFile } from './xauthority.js';

export interface VirtualDisplayOptions {
  width: number;
  height: number;
  /** Bits per pixel of the root window. Default 24. */
  depth?: 16 | 24;
  xvfbPath?: string;
  /** How long Xvfb may take to accept its first connection. Default 10000. */
  startTimeoutMs?: number;
  log?: PublishLog;
}

interface VirtualDisplayEvents {
  /** Xvfb died without stop() being called: the session has lost its screen. */
  exit: [reason: string];
}

const MAX_SIZE = 7680;

/**
 * A private X server (Xvfb) for one session: a display number of its own (Xvfb picks a free one, -displayfd, so two
 * sessions starting together cannot race for it), a fresh cookie that only this process and the session's app know,
 * no TCP: only the local unix sockets, where the cookie is needed too. Xvfb dies with us
 * (PR_SET_PDEATHSIG); stop() kills it and removes its socket, lock and auth files even when it was SIGKILLed.
 */
export class VirtualDisplay extends EventEmitter<VirtualDisplayEvents> {
  readonly width: number;
  readonly height: number;
  readonly cookie: Buffer;
  /** ":N" */
  readonly name: string;
  readonly number: number;
  /** A client Xauthority file (for this display only), readable by the host's user: give it to ffmpeg as XAUTHORITY. */
  readonly clientAuthFile: string;
  /** How long start() took, ms. */
  readonly startupMs: number;
  readonly #child: ChildProcess;
  readonly #dir: string;
  #stopping: Promise<void> | undefined;

  private constructor(init: {
    options: VirtualDisplayOptions;
    cookie: Buffer;
    number: number;
    dir: string;
    child: ChildProcess;
    startupMs: number;
  }) {
    super();
    this.width = init.options.width;
    this.height = init.options.height;
    this.cookie = init.cookie;
    this.number = init.number;
    this.name = `:${init.number}`;
    this.#dir = init.dir;
    this.#child = init.child;
    this.startupMs = init.startupMs;
    this.clientAuthFile = join(init.dir, 'client.xauth');
    writeFileSync(this.clientAuthFile, xauthorityFile(init.cookie, init.number), { mode: 0o600 });
    init.child.once('exit', (code, signal) => {
      if (!this.#stopping) this.emit('exit', `Xvfb exited (${signal ?? `code ${code}`})`);
    });
  }

  static async start(options: VirtualDisplayOptions): Promise<VirtualDisplay> {
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width > MAX_SIZE || height > MAX_SIZE) {
      throw new Error(`invalid display size ${width}x${height}`);
    }
    const startedAt = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'sightline-display-'));
    const cookie = newCookie();
    const serverAuthFile = join(dir, 'server.xauth');
    writeFileSync(serverAuthFile, xauthorityFile(cookie), { mode: 0o600 });
    const args = [
      '-displayfd', '1',
      '-auth', serverAuthFile,
      '-nolisten', 'tcp',
      // The abstract socket (@/tmp/.X11-unix/X<N>) stays: binding it is atomic, which is what stops two Xvfb started
      // at once from both taking the same number (with -displayfd there is no lock file, and a filesystem socket is
      // simply replaced). It needs the cookie like the filesystem socket.
      // Keep the server as it is when the last client disconnects (a capture restart must not reset the screen).
      '-noreset',
      '-screen', '0', `${width}x${height}x${options.depth ?? 24}`,
    ];
    const child = guardedSpawn(options.xvfbPath ?? 'Xvfb', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr.push(...text.split('\n').filter(Boolean));
      if (stderr.length > 20) stderr.splice(0, stderr.length - 20);
    });
    try {
      const number = await readDisplayNumber(child, options.startTimeoutMs ?? 10_000, stderr);
      // Ready means a client holding the cookie is served, not merely that the socket exists.
      const probe = await connectX({ display: `:${number}`, cookie, timeoutMs: options.startTimeoutMs ?? 10_000 });
      probe.client.terminate();
      const display = new VirtualDisplay({ options, cookie, number, dir, child, startupMs: performance.now() - startedAt });
      options.log?.info({ display: display.name, width, height, startupMs: Math.round(display.startupMs) }, 'display: Xvfb ready');
      return display;
    } catch (error) {
      await stopChild(child, { graceMs: 500, group: false });
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.#child.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** What an X client of this display needs in its environment (the auth file must be readable by it). */
  clientEnv(authFile = this.clientAuthFile): { DISPLAY: string; XAUTHORITY: string } {
    return { DISPLAY: this.name, XAUTHORITY: authFile };
  }

  /** Kill Xvfb and remove every file it or we made. Safe to call more than once. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await stopChild(this.#child, { graceMs: 1000, group: false });
      // A SIGKILLed Xvfb leaves them behind; a graceful one has removed them already.
      rmSync(socketPath(this.name), { force: true });
      rmSync(`/tmp/.X${this.number}-lock`, { force: true });
      rmSync(this.#dir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }
}

/** Xvfb writes its display number to -displayfd once it listens. */
function readDisplayNumber(child: ChildProcess, timeoutMs: number, stderr: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const fail = (message: string) => {
      cleanup();
      reject(new Error(`${message}${stderr.length ? `: ${stderr.slice(-5).join(' | ')}` : ''}`));
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /^(\d+)\n/.exec(text);
      if (match) {
        cleanup();
        child.stdout!.resume();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`Xvfb exited before it was ready (${signal ?? `code ${code}`})`);
    const onError = (error: Error) => fail(`Xvfb could not be started: ${error.message}`);
    const timer = setTimeout(() => fail(`Xvfb not ready within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
