import { readFileSync } from 'node:fs';

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone: it runs nothing). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Resolves with the time it took for every pid to be gone; rejects after `timeoutMs`. */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (pids.some(isRunning)) {
    if (performance.now() - started > timeoutMs) throw new Error(`still running after ${timeoutMs} ms: ${pids.filter(isRunning).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Print a measured figure so that it shows in the test output (and in reports). */
export function reportFigure(name: string, value: number, unit = 'ms'): void {
  console.info(`[measured] ${name}: ${Math.round(value * 10) / 10} ${unit}`);
}
