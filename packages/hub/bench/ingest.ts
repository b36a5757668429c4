/**
 * Hub ingest benchmark: simulated edge devices publish event batches over MQTT at a rising offered rate, against
 * four hub configurations (SQLite or PostgreSQL, embedded aedes broker or an external mosquitto), each with a fresh
 * database. Per step it reports the committed (acknowledged) rate, publish→ack latency, and publish→queryable
 * latency measured by polling the REST API.
 *
 *   npm run bench:ingest [-- --quick] [--devices 8] [--steps 5000,10000,20000] [--only sqlite-embedded] [--profile]
 *
 * PostgreSQL and mosquitto: the test suite's if SIGHTLINE_TEST_PG_URL / SIGHTLINE_TEST_MOSQUITTO_* are set,
 * otherwise started here with scripts/test-services.mjs and stopped at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureIngestStages } from './ingest/breakdown.js';
import { CpuProfiler, type ProfileSummary } from './ingest/cpu-profile.js';
import { GeneratorProcess } from './ingest/generator-process.js';
import { startHubUnderTest } from './ingest/hub-under-test.js';
import { CONFIGURATION_TITLES, parseOptions, type BenchOptions, type ConfigurationName } from './ingest/options.js';
import { bestSustained, stepTable, summaryTable, table, type ConfigurationResult, type StepRow } from './ingest/report.js';
import { createDatabase, provideServices, type BenchServices } from './ingest/services.js';
import { TICKS_PER_SECOND, machineShare, machineTimes, processTreeTicks } from './ingest/stats.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench-results/', import.meta.url));

async function runConfiguration(name: ConfigurationName, services: BenchServices, options: BenchOptions): Promise<{ result: ConfigurationResult; profile?: ProfileSummary }> {
  const title = CONFIGURATION_TITLES[name];
  const skipped = (reason: string): { result: ConfigurationResult } => ({
    result: { name, title, steps: [], storedEvents: 0, ackedEvents: 0, generatorErrors: [], skipped: reason },
  });
  const usesPostgres = name.startsWith('postgres');
  const usesMosquitto = name.endsWith('mosquitto');
  if (usesPostgres && !services.pgUrl) return skipped('no PostgreSQL');
  if (usesMosquitto && !services.mosquittoAdminUrl) return skipped('no mosquitto');

  const database = usesPostgres ? await createDatabase(services.pgUrl!, `bench_ingest_${name.replace('-', '_')}_${process.pid}`) : undefined;
  let profile: ProfileSummary | undefined;
  try {
    const hut = await startHubUnderTest({ name, db: database?.url, mqtt: usesMosquitto ? services.mosquittoAdminUrl : undefined, devices: options.devices });
    let generator: GeneratorProcess | undefined;
    try {
      generator = await GeneratorProcess.start({
        apiUrl: hut.hub.url,
        apiKey: hut.apiKey,
        devices: hut.devices,
        batchMin: options.batchMin,
        batchMax: options.batchMax,
        window: options.window,
        pollMs: options.pollMs,
        snapshotShare: options.snapshotShare,
      });
      let acked = (await generator.step(options.steps[0]!, options.warmupSeconds, () => {})).ackedTotal;

      const profiler = options.profile ? new CpuProfiler() : undefined;
      await profiler?.start();
      const steps: StepRow[] = [];
      for (const rate of options.steps) {
        const sample = () => ({
          machine: machineTimes(),
          services: processTreeTicks(services.pids),
          cpu: process.cpuUsage(),
          loop: performance.eventLoopUtilization(),
          at: performance.now(),
        });
        const before = sample();
        let after: typeof before | undefined;
        const result = await generator.step(rate, options.stepSeconds, () => {
          after = sample();
        });
        acked += result.ackedTotal;
        const elapsedMs = after!.at - before.at;
        const hubCpu = (after!.cpu.user - before.cpu.user + after!.cpu.system - before.cpu.system) / 1000;
        const machine = machineShare(before.machine, after!.machine);
        const hubCores = hubCpu / elapsedMs;
        const generatorCores = result.generatorCpuMs / (result.seconds * 1000);
        const servicesCores = (after!.services - before.services) / TICKS_PER_SECOND / (elapsedMs / 1000);
        const row: StepRow = {
          ...result,
          committedPerSecond: result.ackedInStep / result.seconds,
          keptUp: result.offeredEvents > 0 ? result.ackedTotal / result.offeredEvents : NaN,
          hubCores,
          hubEventLoop: performance.eventLoopUtilization(after!.loop, before.loop).utilization,
          generatorCores,
          servicesCores,
          otherCores: Math.max(0, machine.busy * cpus().length - hubCores - generatorCores - servicesCores),
          machineBusy: machine.busy,
          machineSteal: machine.steal,
        };
        steps.push(row);
        console.log(`  ${title}: ${row.rate} ev/s offered → ${Math.round(row.committedPerSecond)} committed, visible p99 ${row.visible.p99.toFixed(0)} ms`);
      }
      if (profiler) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        profile = await profiler.stop(join(RESULTS_DIR, `ingest-${name}.cpuprofile`));
      }
      // Wait for the hub to finish anything still queued before counting what it stored.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const storedEvents = await hut.hub.store.countEvents();
      return { result: { name, title, steps, storedEvents, ackedEvents: acked, generatorErrors: generator.errors }, profile };
    } finally {
      await generator?.close();
      await hut.close();
    }
  } finally {
    await database?.drop();
  }
}

function printConfiguration(result: ConfigurationResult, options: BenchOptions): void {
  console.log(`\n## ${result.title}`);
  if (result.skipped) {
    console.log(`skipped: ${result.skipped}`);
    return;
  }
  console.log(stepTable(result.steps));
  const first = result.steps[0];
  if (first) {
    console.log(
      `batches ${first.meanBatchEvents.toFixed(0)} events on average, ${first.meanEventBytes.toFixed(0)} bytes of JSON per event; ` +
        `visibility polls per step: ${result.steps.map((s) => s.pollRequests).join(', ')}`,
    );
  }
  const unseen = result.steps.reduce((sum, s) => sum + s.neverVisible, 0);
  if (unseen > 0) console.log(`WARNING: ${unseen} batches were never seen through the API within the drain time`);
  if (result.generatorErrors.length > 0) {
    console.log(`generator reported ${result.generatorErrors.length} problems, e.g.: ${result.generatorErrors.slice(0, 3).join(' | ')}`);
  }
  const best = bestSustained(result.steps, options.p99TargetMs, options.keptUpShare);
  console.log(
    `max committed with visible p99 < ${options.p99TargetMs} ms: ${best.any ? Math.round(best.any.committedPerSecond) : 'none'} ev/s` +
      `; stored ${result.storedEvents}, acked ${result.ackedEvents}`,
  );
}

function printProfile(title: string, profile: ProfileSummary): void {
  console.log(`\n### CPU profile of the hub process, ${title} (all steps; ${profile.file})`);
  console.log(table(['where', 'share of samples'], profile.categories.map((c) => [c.name, `${(100 * c.share).toFixed(1)} %`])));
  console.log('');
  console.log(table(['function (self time)', 'share'], profile.functions.map((f) => [f.name, `${(100 * f.share).toFixed(1)} %`])));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const cpuList = cpus();
  console.log(`# Hub ingest benchmark`);
  console.log(
    `machine: ${cpuList.length} × ${cpuList[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. ` +
      `Hub, load generator (a child process), PostgreSQL and mosquitto all share these cores: ` +
      `the figures are for everything on one machine, not the hub alone.`,
  );
  console.log(
    `${options.devices} devices, batches of ${options.batchMin}-${options.batchMax} events, window ${options.window} unacked batches per device, ` +
      `steps ${options.steps.join(', ')} ev/s × ${options.stepSeconds} s (after a ${options.warmupSeconds} s warm-up), ` +
      `snapshots on ${(options.snapshotShare * 100).toFixed(1)} % of events, visibility poll every ${options.pollMs} ms per device.`,
  );

  const needs = {
    postgres: options.configurations.some((c) => c.startsWith('postgres')),
    mosquitto: options.configurations.some((c) => c.endsWith('mosquitto')),
  };
  const services = await provideServices(needs);
  const stopServices = () => void services.stop();
  process.once('SIGINT', () => {
    stopServices();
    process.exit(130);
  });
  for (const line of services.missing) console.log(`WARNING: ${line}`);
  if (services.startedHere) console.log('PostgreSQL / mosquitto started for this run (scripts/test-services.mjs), fsync off.');

  const results: ConfigurationResult[] = [];
  const profiles: [string, ProfileSummary][] = [];
  try {
    if (options.breakdown) {
      console.log('\n## Ingest steps timed alone (one core, no MQTT or HTTP; 60 batches of 375 events)');
      const stages = await measureIngestStages(services.pgUrl);
      console.log(table(['step', 'µs per event', 'ceiling ev/s per core'], stages.map((s) => [s.stage, s.usPerEvent.toFixed(2), Math.round(1e6 / s.usPerEvent).toLocaleString('en-US')])));
    }
    for (const name of options.configurations) {
      console.log(`\nrunning ${CONFIGURATION_TITLES[name]} …`);
      const { result, profile } = await runConfiguration(name, services, options);
      results.push(result);
      if (profile) profiles.push([result.title, profile]);
    }
  } finally {
    await services.stop();
  }

  for (const result of results) printConfiguration(result, options);
  for (const [title, profile] of profiles) printProfile(title, profile);
  console.log('\n## Summary');
  console.log(summaryTable(results, options.p99TargetMs, options.keptUpShare));
  const sqlite = results.find((r) => r.name === 'sqlite-embedded' && !r.skipped);
  if (sqlite) {
    const best = bestSustained(sqlite.steps, options.p99TargetMs, options.keptUpShare).any;
    const rate = best?.committedPerSecond ?? 0;
    console.log(`\nTarget ≥ 20,000 ev/s sustained on SQLite + embedded with p99 < ${options.p99TargetMs} ms: ${rate >= 20_000 ? 'MET' : 'NOT MET'} (${Math.round(rate)} ev/s)`);
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'ingest.json'), JSON.stringify({ options, measuredAt: new Date().toISOString(), results }, null, 2));
  console.log(`\nraw results: bench-results/ingest.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
