import type { ChildProcess } from 'node:child_process';
import { forget } from './guarded-spawn.js';
import { processGroupMembers } from './process-table.js';

export interface StopChildOptions {
  /** How long SIGTERM is given before SIGKILL. */
  graceMs: number;
  /** Signal the child's whole process group (it was spawned with ownProcessGroup). */
  group: boolean;
}

function signal(child: ChildProcess, group: boolean, name: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(group ? -child.pid : child.pid, name);
  } catch {
    // Nothing left to signal.
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * SIGTERM, then SIGKILL after the grace period; resolves once the child has exited and, for a group, no member of it
 * is left (a child that ignores SIGTERM, or a grandchild that outlives its parent, still goes).
 */
export async function stopChild(child: ChildProcess, options: StopChildOptions): Promise<void> {
  if (child.pid === undefined) return;
  if (!exited(child)) {
    const closed = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signal(child, options.group, 'SIGTERM');
    const timer = setTimeout(() => signal(child, options.group, 'SIGKILL'), options.graceMs);
    await closed;
    clearTimeout(timer);
  }
  if (options.group) {
    // The leader is gone; members that ignored SIGTERM or were spared by it are not given another grace period.
    const deadline = performance.now() + 2000;
    while (processGroupMembers(child.pid).length > 0 && performance.now() < deadline) {
      signal(child, true, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  forget(child);
}
