import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
let setprivAvailable: boolean | undefined;
const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Spawns a child (ffmpeg) that cannot outlive this process: on Linux it is launched through util-linux's setpriv
 * with PR_SET_PDEATHSIG, so the kernel kills it however this process dies (SIGKILL and crashes included; ffmpeg
 * would otherwise keep waiting on its input pipe), and it is killed on this process's 'exit' as well.
 */
export function spawnTied(command: string, args: string[], options: SpawnOptions): ChildProcess {
  setprivAvailable ??= process.platform === 'linux' && existsSync(SETPRIV);
  const child = setprivAvailable ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options) : spawn(command, args, options);
  if (child.pid !== undefined) {
    if (running.size === 0) process.on('exit', killAll);
    running.add(child);
    child.once('exit', () => {
      running.delete(child);
      if (running.size === 0) process.off('exit', killAll);
    });
  }
  return child;
}

/** How many tied children are running (diagnostics and tests). */
export function tiedChildCount(): number {
  return running.size;
}
