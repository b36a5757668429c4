import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishLog } from '@sightline/media';
import type { VirtualDisplay } from '../display/virtual-display.js';
import { xauthorityFile } from '../display/xauthority.js';
import { guardedSpawn } from '../process/guarded-spawn.js';
import { isRunning, processesOwnedBy } from '../process/process-table.js';
import type { RunAs } from '../process/run-as.js';
import { stopChild } from '../process/stop-child.js';

export interface AppLaunch {
  /** The program (a path, or a name found on PATH). */
  command: string;
  args?: string[];
  /** Added to the app's environment (which starts empty: the host's own variables, tokens included, never leak). */
  env?: Record<string, string>;
  /** A directory kept between sessions; it becomes the app's HOME (games keep saves under ~/.local/share). */
  saveDataDir?: string;
  cwd?: string;
}

export interface AppProcessOptions extends AppLaunch {
  display: VirtualDisplay;
  /** undefined: the host's own user. */
  runAs: RunAs | undefined;
  /** SIGTERM to SIGKILL. Default 2000. */
  stopGraceMs?: number;
  log?: PublishLog;
}

interface AppProcessEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The session's app: one process group (its leader is the command) on the session's display, as the session's
 * unprivileged user, with a clean environment and a private directory holding its copy of the display's cookie.
 * stop() kills the whole group, then, when the uid belongs to this session alone, anything else that uid still runs
 * (a daemonised helper that left the group).
 */
export class AppProcess extends EventEmitter<AppProcessEvents> {
  readonly #child: ChildProcess;
  readonly #options: AppProcessOptions;
  readonly #privateDir: string;
  #stopping: Promise<void> | undefined;

  constructor(options: AppProcessOptions) {
    super();
    this.#options = options;
    const { display, runAs } = options;
    this.#privateDir = mkdtempSync(join(tmpdir(), 'sightline-app-'));
    const authFile = join(this.#privateDir, 'Xauthority');
    writeFileSync(authFile, xauthorityFile(display.cookie, display.number), { mode: 0o600 });
    const home = options.saveDataDir ?? join(this.#privateDir, 'home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    // A host that was SIGKILLed leaves its apps' own children behind (the kernel only kills the leader): the uid is
    // this session's now, so whatever still runs under it is such a leftover.
    if (runAs?.dedicated) for (const pid of processesOwnedBy(runAs.uid)) killQuietly(pid);
    if (runAs) {
      chownSync(this.#privateDir, runAs.uid, runAs.gid);
      chownSync(authFile, runAs.uid, runAs.gid);
      // Saves written by an earlier session belong to that session's uid.
      chownTree(home, runAs.uid, runAs.gid);
    }
    const env = {
      PATH: SAFE_PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      ...options.env,
      ...display.clientEnv(authFile),
    };
    this.#child = guardedSpawn(options.command, options.args ?? [], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
      cwd: options.cwd ?? home,
      runAs,
      ownProcessGroup: true,
    });
    const tail: string[] = [];
    this.#child.stderr!.setEncoding('utf8');
    this.#child.stderr!.on('data', (text: string) => {
      tail.push(...text.split('\n').filter(Boolean));
      if (tail.length > 20) tail.splice(0, tail.length - 20);
    });
    this.#child.once('error', (error) => options.log?.warn({ err: error.message }, 'app: could not be started'));
    this.#child.once('exit', (code, signal) => {
      if (!this.#stopping) options.log?.info({ code, signal, stderr: tail.slice(-5) }, 'app: exited');
      this.emit('exit', code, signal);
    });
  }

  /** The app's leader; its process group id is the same number. undefined once it has exited. */
  get pid(): number | undefined {
    return this.#child.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** Every process of this app that still runs: its group, and its uid's when that is the session's own. */
  get livePids(): number[] {
    const pids = new Set<number>();
    if (this.#child.pid !== undefined && isRunning(this.#child.pid)) pids.add(this.#child.pid);
    if (this.#options.runAs?.dedicated) for (const pid of processesOwnedBy(this.#options.runAs.uid)) pids.add(pid);
    return [...pids];
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await stopChild(this.#child, { graceMs: this.#options.stopGraceMs ?? 2000, group: true });
      const runAs = this.#options.runAs;
      if (runAs?.dedicated) await killEverythingOwnedBy(runAs.uid);
      rmSync(this.#privateDir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }
}

async function killEverythingOwnedBy(uid: number): Promise<void> {
  const deadline = performance.now() + 2000;
  for (let pids = processesOwnedBy(uid); pids.length > 0 && performance.now() < deadline; pids = processesOwnedBy(uid)) {
    for (const pid of pids) killQuietly(pid);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** chown -R without following symlinks (an app could plant one pointing at a host file). */
function chownTree(path: string, uid: number, gid: number): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  chownSync(path, uid, gid);
  if (stat.isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}
