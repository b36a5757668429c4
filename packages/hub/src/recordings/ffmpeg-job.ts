import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Runs one ffmpeg to completion (clip exports). The child must never outlive the hub: it is launched through
 * util-linux's setpriv with PR_SET_PDEATHSIG, so Linux kills it when the hub dies however it dies, and it is killed
 * on the hub's 'exit' and after `timeoutMs`.
 */
export function runFfmpeg(args: string[], options: { ffmpegPath?: string; timeoutMs: number }): Promise<void> {
  const { command, args: launch } = withParentDeathSignal(options.ffmpegPath ?? (process.env.SIGHTLINE_FFMPEG || 'ffmpeg'), args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, launch, { stdio: ['ignore', 'ignore', 'pipe'] });
    killOnExit(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`ffmpeg could not be started: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const SETPRIV = '/usr/bin/setpriv';
let setprivAvailable: boolean | undefined;

function withParentDeathSignal(command: string, args: string[]): { command: string; args: string[] } {
  setprivAvailable ??= process.platform === 'linux' && existsSync(SETPRIV);
  return setprivAvailable ? { command: SETPRIV, args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args };
}

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

/** Only synchronous work runs in an 'exit' handler, so the children get SIGKILL. */
function killOnExit(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (running.size === 0) process.on('exit', killAll);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killAll);
  });
}
