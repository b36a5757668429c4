import type { StepResult } from './messages.js';

/** One step as measured from both sides: the generator's counts and latencies, the hub process's CPU. */
export interface StepRow extends StepResult {
  /** Events of the step acknowledged, per second from the step's start to the last of their acks. */
  /** How many times the step was run: more than 1 when other work on the machine disturbed it. */
  attempts: number;
  committedPerSecond: number;
  /** Share of the offered events that were sent and acknowledged (not dropped for want of a window slot). */
  keptUp: number;
  /** CPU of the hub process (hub, embedded broker, HTTP API), in cores (1 = one core busy). */
  hubCores: number;
  hubEventLoop: number;
  generatorCores: number;
  /** PostgreSQL and mosquitto processes started for the bench. */
  servicesCores: number;
  /** Everything else on the machine (other users' work): busy time not accounted to the above. */
  otherCores: number;
  machineBusy: number;
  machineSteal: number;
}

export interface ConfigurationResult {
  name: string;
  title: string;
  steps: StepRow[];
  storedEvents: number;
  ackedEvents: number;
  generatorErrors: string[];
  skipped?: string;
}

const fixed = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const thousands = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}` : '–');

export function stepTable(steps: StepRow[]): string {
  const header = [
    'offered ev/s',
    'committed ev/s',
    'kept up %',
    'ack p50/p99 ms',
    'visible p50/p99 ms',
    'due→visible p99',
    'hub loop %',
    'CPU cores hub/gen/svc/other',
    'steal %',
    'tries',
  ];
  const rows = steps.map((s) => [
    thousands(s.rate),
    thousands(s.committedPerSecond),
    pct(s.keptUp),
    `${fixed(s.ack.p50)} / ${fixed(s.ack.p99)}`,
    `${fixed(s.visible.p50)} / ${fixed(s.visible.p99)}`,
    fixed(s.dueToVisible.p99),
    pct(s.hubEventLoop),
    [s.hubCores, s.generatorCores, s.servicesCores, s.otherCores].map((v) => fixed(v, 2)).join(' / '),
    pct(s.machineSteal),
    String(s.attempts),
  ]);
  return table(header, rows);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The highest step the hub sustained: it acknowledged (nearly) everything offered, so the devices never had to hold
 * batches back, and every sampled batch was queryable with a visibility p99 under the target.
 */
export function sustainedStep(steps: StepRow[], p99TargetMs: number, keptUpShare: number): StepRow | undefined {
  return steps
    .filter((s) => s.keptUp >= keptUpShare && s.visible.count > 0 && s.visible.p99 < p99TargetMs && s.neverVisible === 0)
    .sort((a, b) => b.rate - a.rate)[0];
}

export function summaryTable(results: ConfigurationResult[], p99TargetMs: number, keptUpShare: number): string {
  const baseline = results.find((r) => r.name === 'sqlite-embedded' && !r.skipped);
  const baselineRate = baseline ? sustainedStep(baseline.steps, p99TargetMs, keptUpShare)?.rate : undefined;
  const rows = results.map((r) => {
    if (r.skipped) return [r.title, 'skipped', '', '', '', '', r.skipped.slice(0, 60)];
    const best = sustainedStep(r.steps, p99TargetMs, keptUpShare);
    return [
      r.title,
      best ? thousands(best.rate) : 'none',
      best ? thousands(best.committedPerSecond) : '–',
      best ? `${fixed(best.visible.p50)} / ${fixed(best.visible.p99)}` : '–',
      baselineRate && best ? `${(best.rate / baselineRate).toFixed(2)}×` : '–',
      thousands(Math.max(...r.steps.map((s) => s.committedPerSecond))),
      r.storedEvents === r.ackedEvents ? `ok (${thousands(r.storedEvents)})` : `MISMATCH stored ${r.storedEvents} ≠ acked ${r.ackedEvents}`,
    ];
  });
  return table(
    [
      'configuration',
      `sustained ev/s (kept up ≥ ${pct(keptUpShare)} %, visible p99 < ${p99TargetMs} ms)`,
      'committed ev/s there',
      'visible p50/p99 ms there',
      'vs SQLite+embedded',
      'peak committed ev/s (any latency)',
      'stored = acked',
    ],
    rows,
  );
}
