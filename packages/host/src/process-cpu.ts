import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (Linux /proc), or undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU use of a changing set of processes between two calls, in percent of one core. */
export class ProcessCpuMeter {
  #last = new Map<number, number>();
  #lastAt = performance.now();
  #first = true;

  sample(pids: readonly number[]): number {
    const now = performance.now();
    const seconds = (now - this.#lastAt) / 1000;
    let used = 0;
    const next = new Map<number, number>();
    for (const pid of pids) {
      const cpu = cpuSecondsOf(pid);
      if (cpu === undefined) continue;
      next.set(pid, cpu);
      // A process not seen before started since the last sample (an encoder replaced for a keyframe): all its CPU
      // time falls in this interval.
      used += cpu - (this.#last.get(pid) ?? (this.#first ? cpu : 0));
    }
    this.#last = next;
    this.#lastAt = now;
    this.#first = false;
    return seconds > 0 ? Math.round((used / seconds) * 1000) / 10 : 0;
  }
}
