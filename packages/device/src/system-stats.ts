import { cpus } from 'node:os';

/**
 * Whole-machine CPU use between two calls (ffmpeg decoders and inference threads included, which process CPU
 * time would miss), as a percentage of all cores.
 */
export class CpuSampler {
  private last = snapshot();

  percent(): number {
    const now = snapshot();
    const busy = now.busy - this.last.busy;
    const total = now.total - this.last.total;
    this.last = now;
    return total > 0 ? Math.round((busy / total) * 1000) / 10 : 0;
  }
}

function snapshot(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}
