import { readdirSync, readFileSync } from 'node:fs';
import type { Percentiles } from './messages.js';

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

export interface MachineTimes {
  busy: number;
  steal: number;
  total: number;
}

/** The whole machine's CPU time from /proc/stat (all cores), in clock ticks; undefined where there is none. */
export function machineTimes(): MachineTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait - steal, steal, total };
  } catch {
    return undefined;
  }
}

/** Busy and steal shares of the machine between two readings, 0-1 of all cores together. */
export function machineShare(from: MachineTimes | undefined, to: MachineTimes | undefined): { busy: number; steal: number } {
  if (!from || !to || to.total <= from.total) return { busy: NaN, steal: NaN };
  const total = to.total - from.total;
  return { busy: (to.busy - from.busy) / total, steal: (to.steal - from.steal) / total };
}

/** Clock ticks per second of /proc times (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/**
 * CPU ticks used by these processes and their direct children (PostgreSQL backends are children of the
 * postmaster), including children already reaped. 0 where /proc cannot be read.
 */
export function processTreeTicks(pids: number[]): number {
  if (pids.length === 0) return 0;
  const roots = new Set(pids);
  let ticks = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    const stat = procStat(pid);
    if (!stat) continue;
    if (roots.has(pid)) ticks += stat.utime + stat.stime + stat.cutime + stat.cstime;
    else if (roots.has(stat.ppid)) ticks += stat.utime + stat.stime;
  }
  return ticks;
}

function procStat(pid: number): { ppid: number; utime: number; stime: number; cutime: number; cstime: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its closing one are plain.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    return { ppid: fields[1]!, utime: fields[11]!, stime: fields[12]!, cutime: fields[13]!, cstime: fields[14]! };
  } catch {
    return undefined;
  }
}
