import { cpus } from 'node:os';
import type { GeneratorProcess } from './generator-process.js';
import type { StepRow } from './report.js';
import { TICKS_PER_SECOND, machineShare, machineTimes, processTreeTicks } from './stats.js';

/**
 * Runs one step and reads, over the time the load was offered, the CPU of this process (the hub), of the service
 * processes and of the whole machine; what the machine spent beyond ours is other people's work.
 */
export async function measureStep(generator: GeneratorProcess, rate: number, seconds: number, servicePids: number[]): Promise<StepRow> {
  const sample = () => ({
    machine: machineTimes(),
    services: processTreeTicks(servicePids),
    cpu: process.cpuUsage(),
    loop: performance.eventLoopUtilization(),
    at: performance.now(),
  });
  const before = sample();
  let after = before;
  const result = await generator.step(rate, seconds, () => {
    after = sample();
  });
  const elapsedMs = after.at - before.at;
  const hubCores = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000 / elapsedMs;
  const generatorCores = result.generatorCpuMs / (result.seconds * 1000);
  const servicesCores = (after.services - before.services) / TICKS_PER_SECOND / (elapsedMs / 1000);
  const machine = machineShare(before.machine, after.machine);
  return {
    ...result,
    attempts: 1,
    // Every event the step published, over the time until the last of them was acknowledged: neither the acks
    // still on their way at the end of the step nor a drain after saturation bias it.
    committedPerSecond: result.ackedTotal / result.committedSeconds,
    keptUp: result.offeredEvents > 0 ? result.ackedTotal / result.offeredEvents : NaN,
    hubCores,
    hubEventLoop: performance.eventLoopUtilization(after.loop, before.loop).utilization,
    generatorCores,
    servicesCores,
    otherCores: Math.max(0, machine.busy * cpus().length - hubCores - generatorCores - servicesCores),
    machineBusy: machine.busy,
    machineSteal: machine.steal,
  };
}
