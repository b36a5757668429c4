import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { RunAs } from './run-as.js';

const SETPRIV = '/usr/bin/setpriv';

export interface GuardedSpawnOptions {
  stdio: StdioOptions;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Switch to this uid/gid (and drop supplementary groups) before exec. Needs root. */
  runAs?: RunAs;
  /**
   * Start a new session and process group (setsid), so that the whole tree the command spawns can be signalled with
   * one kill(-pgid). Its leader's pid is the group id.
   */
  ownProcessGroup?: boolean;
}

/**
 * Spawns a command that cannot outlive this process: util-linux's setpriv sets PR_SET_PDEATHSIG (after any uid
 * change, which would otherwise clear it) and execs the command, so the kernel kills it the moment we die, even by
 * SIGKILL; and a normal exit SIGKILLs it (and its group) from an 'exit' handler. This is the same approach as
 * @sightline/media's child-reaper (not exported there), extended with the uid switch and process groups.
 */
export function guardedSpawn(command: string, args: readonly string[], options: GuardedSpawnOptions): ChildProcess {
  if (!existsSync(SETPRIV)) throw new Error(`${SETPRIV} (util-linux) is required to run session processes safely`);
  const launcher = ['--pdeathsig', 'KILL'];
  if (options.runAs) {
    launcher.push('--reuid', String(options.runAs.uid), '--regid', String(options.runAs.gid), '--clear-groups');
  }
  const child = spawn(SETPRIV, [...launcher, '--', command, ...args], {
    stdio: options.stdio,
    env: options.env,
    cwd: options.cwd,
    detached: options.ownProcessGroup ?? false,
  });
  reapOnExit(child, options.ownProcessGroup ?? false);
  return child;
}

/** Children (and their groups) to SIGKILL if this process exits normally while they run. */
const running = new Map<ChildProcess, boolean>();

function killAllSync(): void {
  for (const [child, group] of running) {
    if (child.pid === undefined) continue;
    try {
      process.kill(group ? -child.pid : child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function reapOnExit(child: ChildProcess, group: boolean): void {
  if (child.pid === undefined) return;
  if (running.size === 0) process.on('exit', killAllSync);
  running.set(child, group);
  child.once('exit', () => {
    // The group may outlive its leader: still kill it on our exit until someone has cleaned it up.
    if (!group) forget(child);
  });
}

/** The group of this child has been killed and waited for: nothing left to reap on exit. */
export function forget(child: ChildProcess): void {
  running.delete(child);
  if (running.size === 0) process.off('exit', killAllSync);
}
