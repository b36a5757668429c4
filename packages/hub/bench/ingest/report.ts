import type { StepResult } from './messages.js';

/** One step as measured from both sides: the generator's counts and latencies, the hub process's CPU. */
export interface StepRow extends StepResult {
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
  ]);
  return table(header, rows);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The best step that met the latency target: its committed rate, and whether it also kept up with the offer. */
export function bestSustained(steps: StepRow[], p99TargetMs: number, keptUpShare: number): { any?: StepRow; keptUp?: StepRow } {
  const underTarget = steps.filter((s) => s.visible.count > 0 && s.visible.p99 < p99TargetMs && s.neverVisible === 0);
  const byRate = (a: StepRow, b: StepRow) => b.committedPerSecond - a.committedPerSecond;
  return {
    any: [...underTarget].sort(byRate)[0],
    keptUp: underTarget.filter((s) => s.keptUp >= keptUpShare).sort(byRate)[0],
  };
}

export function summaryTable(results: ConfigurationResult[], p99TargetMs: number, keptUpShare: number): string {
  const baseline = results.find((r) => r.name === 'sqlite-embedded' && !r.skipped);
  const baselineRate = baseline ? bestSustained(baseline.steps, p99TargetMs, keptUpShare).any?.committedPerSecond : undefined;
  const rows = results.map((r) => {
    if (r.skipped) return [r.title, 'skipped', '', '', '', '', r.skipped.slice(0, 60)];
    const best = bestSustained(r.steps, p99TargetMs, keptUpShare);
    const rate = best.any?.committedPerSecond ?? NaN;
    return [
      r.title,
      thousands(rate),
      best.any ? `${fixed(best.any.visible.p99)} @ ${thousands(best.any.rate)} offered` : 'none',
      best.keptUp ? thousands(best.keptUp.rate) : 'none',
      baselineRate ? `${(rate / baselineRate).toFixed(2)}×` : '–',
      thousands(Math.max(...r.steps.map((s) => s.committedPerSecond))),
      r.storedEvents === r.ackedEvents ? `ok (${thousands(r.storedEvents)})` : `MISMATCH stored ${r.storedEvents} ≠ acked ${r.ackedEvents}`,
    ];
  });
  return table(
    [
      'configuration',
      `max committed ev/s with visible p99 < ${p99TargetMs} ms`,
      'its p99 ms',
      `highest offer fully kept up (≥ ${pct(keptUpShare)} %)`,
      'vs SQLite+embedded',
      'peak committed ev/s (any latency)',
      'stored = acked',
    ],
    rows,
  );
}
