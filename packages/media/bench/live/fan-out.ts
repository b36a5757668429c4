import { setTimeout as sleep } from 'node:timers/promises';
import type { ProfileSummary } from './cpu-profile.js';
import type { BenchChild } from './ipc.js';
import type { RelayUsage, ViewerSnapshot } from './messages.js';
import { mean, percentile } from './stats.js';

export interface FanOutStep {
  viewers: number;
  windowS: number;
  /** Relay process CPU, in cores (1 = one core busy). */
  relayCores: number;
  /** The simulated viewers' process, in cores. */
  viewerProcessCores: number;
  packetsInPerS: number;
  forwardedPerS: number;
  retransmissionsPerS: number;
  microsPerForwardedPacket: number;
  /** Lost packets (sequence gaps never filled) over what should have arrived, all viewers together. */
  lossMean: number;
  lossP95: number;
  lossWorst: number;
  /** Distinct packets received by all viewers over packetsIn × viewers in the window. */
  deliveryRatio: number;
  viewersPerCore: number;
  /** Viewers served by the relay's fast path at the end of the window (the rest use werift's sender). */
  viewersOnFastPath: number;
  loopDelayP99Ms: number;
  joinMsMedian: number;
  good: boolean;
}

export interface FanOutOptions {
  steps: number[];
  windowS: number;
  settleS: number;
  profileS: number;
  maxLoss: number;
  /** The relay counts as saturated above this many cores (it is one event loop). */
  saturationCores: number;
  profileFile: string;
  log: (line: string) => void;
}

export interface FanOutResult {
  idleRelayCores: number;
  steps: FanOutStep[];
  bestGood: FanOutStep | undefined;
  profile: (ProfileSummary & { viewers: number }) | undefined;
  stoppedBecause: string;
}

async function relayUsage(relay: BenchChild): Promise<RelayUsage> {
  return relay.request<RelayUsage>({ cmd: 'usage' });
}

export async function runFanOut(relay: BenchChild, viewers: BenchChild, relayUrl: string, options: FanOutOptions): Promise<FanOutResult> {
  const idleStart = await relayUsage(relay);
  await sleep(2000);
  const idleEnd = await relayUsage(relay);
  const idleRelayCores = (idleEnd.cpuMicros - idleStart.cpuMicros) / ((idleEnd.at - idleStart.at) * 1000);
  options.log(`relay with the publisher only: ${(idleRelayCores * 100).toFixed(1)} % of a core, ${(((idleEnd.packetsIn - idleStart.packetsIn) * 1000) / (idleEnd.at - idleStart.at)).toFixed(0)} packets/s in`);

  const steps: FanOutStep[] = [];
  let profile: FanOutResult['profile'];
  let stoppedBecause = 'all steps done';
  let current = 0;
  for (const target of options.steps) {
    const joinTimes = await viewers.request<number[]>({ cmd: 'add-viewers', count: target - current, url: relayUrl, concurrency: 8 }, 300_000);
    current = target;
    await sleep(options.settleS * 1000);
    const [r0, v0] = await Promise.all([relayUsage(relay), viewers.request<ViewerSnapshot>({ cmd: 'snapshot' })]);
    await sleep(options.windowS * 1000);
    const [r1, v1] = await Promise.all([relayUsage(relay), viewers.request<ViewerSnapshot>({ cmd: 'snapshot' })]);
    const seconds = (r1.at - r0.at) / 1000;
    const relayCores = (r1.cpuMicros - r0.cpuMicros) / (seconds * 1e6);
    const forwarded = r1.packetsForwarded - r0.packetsForwarded;
    const packetsIn = r1.packetsIn - r0.packetsIn;
    const losses: number[] = [];
    let unique = 0;
    for (let i = 0; i < v1.viewers.length; i++) {
      const before = v0.viewers[i];
      const after = v1.viewers[i];
      if (!before || !after) continue;
      const expected = after.expected - before.expected;
      const got = after.unique - before.unique;
      unique += got;
      losses.push(expected > 0 ? Math.max(0, 1 - got / expected) : 1);
    }
    const totalExpected = v1.viewers.reduce((s, v, i) => s + v.expected - (v0.viewers[i]?.expected ?? v.expected), 0);
    const lossMean = totalExpected > 0 ? Math.max(0, 1 - unique / totalExpected) : 1;
    const step: FanOutStep = {
      viewers: r1.viewers,
      windowS: seconds,
      relayCores,
      viewerProcessCores: (v1.cpuMicros - v0.cpuMicros) / ((v1.at - v0.at) * 1000),
      packetsInPerS: packetsIn / seconds,
      forwardedPerS: forwarded / seconds,
      retransmissionsPerS: (r1.retransmissions - r0.retransmissions) / seconds,
      microsPerForwardedPacket: forwarded > 0 ? (r1.cpuMicros - r0.cpuMicros) / forwarded : Number.NaN,
      lossMean,
      lossP95: percentile(losses, 95),
      lossWorst: Math.max(...losses),
      deliveryRatio: packetsIn > 0 ? unique / (packetsIn * v1.viewers.length) : 0,
      viewersPerCore: r1.viewers / relayCores,
      viewersOnFastPath: r1.viewersOnFastPath,
      loopDelayP99Ms: r1.loopDelayP99Ms,
      joinMsMedian: percentile(joinTimes, 50),
      good: false,
    };
    step.good = step.lossMean < options.maxLoss && step.relayCores < options.saturationCores;
    steps.push(step);
    options.log(
      `${String(step.viewers).padStart(4)} viewers: relay ${(relayCores * 100).toFixed(0)} % of a core, ${step.forwardedPerS.toFixed(0)} pkt/s out, ` +
        `${step.microsPerForwardedPacket.toFixed(1)} µs/packet, loss mean ${(lossMean * 100).toFixed(2)} % worst ${(step.lossWorst * 100).toFixed(2)} %, ` +
        `viewer process ${(step.viewerProcessCores * 100).toFixed(0)} %, loop p99 ${step.loopDelayP99Ms.toFixed(0)} ms, mean join ${mean(joinTimes).toFixed(0)} ms`,
    );
    if (!step.good) {
      stoppedBecause = step.lossMean >= options.maxLoss ? `loss ${(step.lossMean * 100).toFixed(2)} % at ${step.viewers} viewers` : `relay saturated (${(relayCores * 100).toFixed(0)} % of a core) at ${step.viewers} viewers`;
      break;
    }
    // Profile at every good step (after its measurement window, so the profiler's cost is not in the figures); the
    // last one kept is the highest good step.
    await relay.request({ cmd: 'profile-start' });
    await sleep(options.profileS * 1000);
    profile = { ...(await relay.request<ProfileSummary>({ cmd: 'profile-stop', file: options.profileFile })), viewers: step.viewers };
  }
  const good = steps.filter((s) => s.good);
  return { idleRelayCores, steps, bestGood: good[good.length - 1], profile, stoppedBecause };
}
