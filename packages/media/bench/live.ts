/**
 * `npm run bench:live`: the media plane's costs on this machine, in one run.
 * 1. Join: WHEP POST to the first decoded frame in headless Chromium, the publisher already live.
 * 2. Glass-to-glass, on both edge paths (passthrough of the camera's H.264, and the privacy transcoder): the frame
 *    entering the edge to its presentation in Chromium, matched frame by frame by RTP timestamp (= the frame's pts).
 * 3. Fan-out: simulated werift viewers (another process) step up until loss > 1 % or the relay saturates; relay CPU
 *    per forwarded packet, viewers per core, and a CPU profile of the relay at the highest good step.
 * Every peer stays on 127.0.0.1. Raw results: bench-results/live.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BrowserViewer } from './live/browser-viewer.js';
import { runFanOut } from './live/fan-out.js';
import { measureGlassToGlass, measureJoins } from './live/glass.js';
import { BenchChild } from './live/ipc.js';
import { FeedPublisher } from './live/feed-publisher.js';
import { makeCameraClip } from './live/camera-clip.js';
import { table } from './live/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const resultsDir = join(repoRoot, 'bench-results');

const numberList = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);
const STEPS = numberList(process.env.BENCH_LIVE_STEPS, [10, 25, 50, 75, 100, 125, 150, 200, 250, 300]);
const WINDOW_S = Number(process.env.BENCH_LIVE_WINDOW_S ?? 5);
const JOINS = Number(process.env.BENCH_LIVE_JOINS ?? 5);
const GLASS_S = Number(process.env.BENCH_LIVE_GLASS_S ?? 10);
const SOURCE = { width: 1280, height: 720, fps: 30, bitrateKbps: 1500 };

const log = (line: string) => console.log(line);
const pct = (value: number) => `${(value * 100).toFixed(2)} %`;

async function main(): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  log(`bench:live on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; camera ${SOURCE.width}×${SOURCE.height} ${SOURCE.fps} fps ${SOURCE.bitrateKbps} kbit/s H.264 (baseline, 1 s GOP) played in a loop at its own rate`);
  const clip = await makeCameraClip(resultsDir, SOURCE);
  const relay = BenchChild.start(join(here, 'live/relay-process.ts'), 'relay');
  const relayUrl = (await relay.ready) as string;
  let publisher: FeedPublisher | undefined;
  let browser: BrowserViewer | undefined;
  let viewers: BenchChild | undefined;
  const glassLine = (name: string, g: Awaited<ReturnType<typeof measureGlassToGlass>>) =>
    `glass-to-glass, ${name}, over ${g.samples.length} frames (${g.width}×${g.height}; ${g.unmatched} unmatched): ` +
    `presented p50 ${g.presentP50.toFixed(1)} ms, p95 ${g.presentP95.toFixed(1)} ms, max ${g.presentMax.toFixed(1)} ms; ` +
    `received p50 ${g.receiveP50.toFixed(1)} ms, p95 ${g.receiveP95.toFixed(1)} ms`;
  try {
    log('\n# Glass-to-glass through the privacy transcoder (decode, mask, x264 ultrafast zerolatency baseline)');
    publisher = await FeedPublisher.start(`${relayUrl}/whip`, clip, 'transcode');
    await sleep(2000);
    browser = await BrowserViewer.open(relayUrl);
    const transcoded = await measureGlassToGlass(browser, publisher, GLASS_S);
    log(glassLine('transcoding', transcoded));
    await browser.close();
    browser = undefined;
    await publisher.stop();

    log('\n# Passthrough: join latency and glass-to-glass (headless Chromium, no other viewers)');
    publisher = await FeedPublisher.start(`${relayUrl}/whip`, clip, 'passthrough');
    await sleep(2000);
    browser = await BrowserViewer.open(relayUrl);
    const joins = await measureJoins(browser, JOINS, log);
    const glass = await measureGlassToGlass(browser, publisher, GLASS_S);
    await browser.close();
    browser = undefined;
    log(glassLine('passthrough', glass));

    log('\n# Fan-out (werift viewers in another process)');
    viewers = BenchChild.start(join(here, 'live/viewer-process.ts'), 'viewers');
    await viewers.ready;
    const fanOut = await runFanOut(relay, viewers, relayUrl, {
      steps: STEPS,
      windowS: WINDOW_S,
      settleS: 2,
      profileS: 4,
      maxLoss: 0.01,
      saturationCores: 0.95,
      profileFile: join(resultsDir, 'live-relay.cpuprofile'),
      log,
    });

    log('');
    log(
      table(
        ['viewers', 'relay CPU', 'µs/pkt', 'pkt/s out', 'loss mean', 'loss p95', 'loss worst', 'viewers/core', 'viewer proc', 'loop p99', 'ok'],
        fanOut.steps.map((s) => [
          s.viewers,
          `${(s.relayCores * 100).toFixed(0)} %`,
          s.microsPerForwardedPacket.toFixed(1),
          s.forwardedPerS.toFixed(0),
          pct(s.lossMean),
          pct(s.lossP95),
          pct(s.lossWorst),
          s.viewersPerCore.toFixed(0),
          `${(s.viewerProcessCores * 100).toFixed(0)} %`,
          `${s.loopDelayP99Ms.toFixed(0)} ms`,
          s.good ? 'yes' : 'no',
        ]),
      ),
    );
    log(`stopped: ${fanOut.stoppedBecause}`);
    if (fanOut.profile) {
      const p = fanOut.profile;
      log(`\n# Relay CPU profile at ${p.viewers} viewers (${pct(p.busyShare)} of samples busy; shares of busy time; ${p.file})`);
      log(table(['self time by area', 'share'], p.categories.map((c) => [c.name, pct(c.share)])));
      log('');
      log(table(['top self-time functions', 'share'], p.functions.map((f) => [f.name, pct(f.share)])));
      log('');
      log(table(['inclusive (self + callees)', 'share'], p.inclusive.map((f) => [f.name, pct(f.share)])));
    }

    const best = fanOut.bestGood;
    const summary = {
      viewersPerCoreAtUnder1PctLoss: best ? best.viewersPerCore : 0,
      highestGoodStep: best?.viewers ?? 0,
      microsPerForwardedPacket: best?.microsPerForwardedPacket ?? Number.NaN,
      joinMedianMs: joins.decodedMsMedian,
      glassPassthroughP50Ms: glass.presentP50,
      glassPassthroughP95Ms: glass.presentP95,
      glassTranscodingP50Ms: transcoded.presentP50,
      glassTranscodingP95Ms: transcoded.presentP95,
    };
    log('\n# Summary');
    log(
      table(
        ['what', 'measured', 'target', 'met'],
        [
          ['viewers per relay core, < 1 % loss', best ? `${best.viewersPerCore.toFixed(0)} (${best.viewers} viewers at ${(best.relayCores * 100).toFixed(0)} % of a core)` : 'none', '≥ 200', best && best.viewersPerCore >= 200 ? 'yes' : 'no'],
          ['relay CPU per forwarded packet', best ? `${best.microsPerForwardedPacket.toFixed(1)} µs` : '-', '-', '-'],
          ['WHEP POST → first decoded frame (median of ' + joins.joins.length + ')', `${joins.decodedMsMedian.toFixed(0)} ms (max ${joins.decodedMsMax.toFixed(0)})`, '≤ 1000 ms', joins.decodedMsMedian <= 1000 ? 'yes' : 'no'],
          ['glass-to-glass p50, passthrough (720p30)', `${glass.presentP50.toFixed(1)} ms`, '≤ 80 ms', glass.presentP50 <= 80 ? 'yes' : 'no'],
          ['glass-to-glass p95, passthrough', `${glass.presentP95.toFixed(1)} ms`, '≤ 150 ms', glass.presentP95 <= 150 ? 'yes' : 'no'],
          ['glass-to-glass p50, transcoding (720p30)', `${transcoded.presentP50.toFixed(1)} ms`, '≤ 80 ms', transcoded.presentP50 <= 80 ? 'yes' : 'no'],
          ['glass-to-glass p95, transcoding', `${transcoded.presentP95.toFixed(1)} ms`, '≤ 150 ms', transcoded.presentP95 <= 150 ? 'yes' : 'no'],
        ],
      ),
    );
    const file = join(resultsDir, 'live.json');
    await writeFile(
      file,
      JSON.stringify({ at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, source: SOURCE, summary, joins, glass, transcoded, fanOut }, null, 2),
    );
    log(`\nraw results: ${file}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await viewers?.stop();
    await publisher?.stop().catch(() => undefined);
    await relay.stop();
  }
}

await main();
