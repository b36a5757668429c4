import type { ChildProcess } from 'node:child_process';

/**
 * Every ffmpeg/ffprobe child this process started and that is still alive. They must not outlive
 * the process: on 'exit' they are killed outright (nothing async can run then); on SIGINT/SIGTERM they
 * get SIGTERM so ffmpeg can close network sessions (RTSP TEARDOWN) before the default action of the
 * signal ends this process. The handlers exist only while children do, so a process without
 * sources keeps its own signal behaviour untouched.
 *
 * If this process dies without running any handler (SIGKILL, crash), the children still stop:
 * they are spawned with -nostdin and pipes for stdout/stderr, and their next write to a pipe
 * with no reader fails with EPIPE, which makes ffmpeg exit.
 */
const liveChildren = new Set<ChildProcess>();
const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type TerminatingSignal = (typeof TERMINATING_SIGNALS)[number];

function killAll(signal: NodeJS.Signals): void {
  for (const child of liveChildren) {
    try {
      child.kill(signal);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

function onExit(): void {
  killAll('SIGKILL');
}

function onSignal(signal: TerminatingSignal): void {
  killAll('SIGTERM');
  uninstall();
  // With our listener gone and nobody else listening, re-raise so Node applies the default action
  // (terminate with that signal). If the application listens too, the decision is its own.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of TERMINATING_SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const signal of TERMINATING_SIGNALS) process.off(signal, onSignal);
}

/** Track a spawned child until it exits. */
export function registerChild(child: ChildProcess): void {
  // No pid: the spawn failed (ENOENT, EACCES) and there is no process to kill.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  liveChildren.add(child);
  install();
  child.once('exit', () => {
    liveChildren.delete(child);
    if (liveChildren.size === 0) uninstall();
  });
}

/** How many registered children are still running (for diagnostics and tests). */
export function liveChildCount(): number {
  return liveChildren.size;
}
