import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/**
 * Children to kill if this process exits while they run. Only synchronous work can happen in an 'exit' handler, so
 * they get SIGKILL. A process that dies without running it (SIGKILL, a crash) is covered by withParentDeathSignal.
 */
const running = new Set<ChildProcess>();

function killAllSync(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

const SETPRIV = '/usr/bin/setpriv';
let setprivAvailable: boolean | undefined;

/**
 * The command line that runs `command` so that Linux kills it the moment this process dies, however it dies: through
 * util-linux's setpriv, which sets PR_SET_PDEATHSIG and then execs the command (Node cannot call prctl itself).
 * ffmpeg would otherwise live on: it ignores SIGPIPE, and writing RTP to UDP never fails. Without setpriv (not
 * Linux), only the 'exit' handler protects.
 */
export function withParentDeathSignal(command: string, args: string[]): { command: string; args: string[] } {
  setprivAvailable ??= process.platform === 'linux' && existsSync(SETPRIV);
  return setprivAvailable ? { command: SETPRIV, args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args };
}

/** setpriv's own complaint when it cannot run the command (exit code 127). */
export function isLauncherExecFailure(code: number | null, stderrTail: readonly string[]): boolean {
  return code === 127 && stderrTail.some((line) => line.startsWith('setpriv: failed to execute'));
}

export function reapOnExit(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (running.size === 0) process.on('exit', killAllSync);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killAllSync);
  });
}
