/**
 * `npm run bench:live`: the media plane's costs on this machine, in one run.
 * 1. Join: WHEP POST to the first decoded frame in headless Chromium, the publisher already live.
 * 2. Glass-to-glass, on both edge paths (passthrough of the camera's H.264, and the privacy transcoder): the frame
 *    entering the edge to its presentation in Chromium, matched frame by frame by RTP timestamp (= the frame's pts).
 * 3. Fan-out, once per forwarding path (werift's RTCRtpSender, then the relay's fast path; BENCH_LIVE_PATHS), each
 *    with a fresh relay process and publisher and the same steps: simulated werift viewers (another process) step up
 *    until loss > 1 % or the relay saturates; relay CPU per forwarded packet, viewers per core, a CPU profile of the
 *    relay at the highest good step, and the two paths side by side.
 * 4. HLS glass to glass: the camera's pictures carry their frame number as a bar code; an HlsSegmenter makes 1 s fMP4
 *    segments as the hub does and hls.js plays them in Chromium; each presented picture says when it entered the edge.
 * BENCH_LIVE_ONLY=fanout skips 1, 2 and 4 (no Chromium). Every peer stays on 127.0.0.1. Raw results:
 * bench-results/live.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BrowserViewer } from './live/browser-viewer.js';
import { runFanOut } from './live/fan-out.js';
import { measureGlassToGlass, measureJoins } from './live/glass.js';
import { BenchChild } from './live/ipc.js';
import { FeedPublisher } from './live/feed-publisher.js';
import { makeCameraClip } from './live/camera-clip.js';
import { measureHlsLatency } from './live/hls-latency.js';
import { table } from './live/stats.js';
import type { FanOutResult, FanOutStep } from './live/fan-out.js';
import type { RelayForwarding } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const resultsDir = join(repoRoot, 'bench-results');

const numberList = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);
const STEPS = numberList(process.env.BENCH_LIVE_STEPS, [10, 25, 50, 75, 100, 125, 150, 200, 250, 300]);
const WINDOW_S = Number(process.env.BENCH_LIVE_WINDOW_S ?? 5);
const JOINS = Number(process.env.BENCH_LIVE_JOINS ?? 5);
const GLASS_S = Number(process.env.BENCH_LIVE_GLASS_S ?? 10);
const SOURCE = { width: 1280, height: 720, fps: 30, bitrateKbps: 1500 };
const FANOUT_ONLY = process.env.BENCH_LIVE_ONLY === 'fanout';
const PATHS = (process.env.BENCH_LIVE_PATHS ?? 'werift,fast').split(',').map((path) => {
  if (path !== 'werift' && path !== 'fast') throw new Error(`BENCH_LIVE_PATHS: unknown path ${path}`);
  return path as RelayForwarding;
});

const log = (line: string) => console.log(line);
const pct = (value: number) => `${(value * 100).toFixed(2)} %`;

async function main(): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  log(`bench:live on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; camera ${SOURCE.width}×${SOURCE.height} ${SOURCE.fps} fps ${SOURCE.bitrateKbps} kbit/s H.264 (baseline, 1 s GOP) played in a loop at its own rate`);
  log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const clip = await makeCameraClip(resultsDir, SOURCE);
  const browserParts = FANOUT_ONLY ? undefined : await measureInBrowser(clip);
  const fanOuts: { path: RelayForwarding; result: FanOutResult }[] = [];
  for (const path of PATHS) fanOuts.push({ path, result: await measureFanOut(clip, path) });
  if (fanOuts.length > 1) printComparison(fanOuts);

  const summary = Object.fromEntries(
    fanOuts.map(({ path, result }) => [
      path,
      {
        viewersPerCoreAtUnder1PctLoss: result.bestGood?.viewersPerCore ?? 0,
        highestGoodStep: result.bestGood?.viewers ?? 0,
        microsPerForwardedPacket: result.bestGood?.microsPerForwardedPacket ?? Number.NaN,
      },
    ]),
  );
  if (browserParts) printBrowserSummary(browserParts, fanOuts);
  const file = join(resultsDir, 'live.json');
  await writeFile(
    file,
    JSON.stringify(
      { at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() }, source: SOURCE, summary, ...browserParts, fanOuts },
      null,
      2,
    ),
  );
  log(`\nraw results: ${file}`);
}

type BrowserParts = Awaited<ReturnType<typeof measureInBrowser>>;

/** Join latency and glass-to-glass in Chromium, through a relay on its default (fast) path. */
async function measureInBrowser(clip: string) {
  const relay = BenchChild.start(join(here, 'live/relay-process.ts'), 'relay');
  const relayUrl = (await relay.ready) as string;
  let publisher: FeedPublisher | undefined;
  let browser: BrowserViewer | undefined;
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
    publisher = undefined;

    log('\n# Passthrough: join latency and glass-to-glass (headless Chromium, no other viewers)');
    publisher = await FeedPublisher.start(`${relayUrl}/whip`, clip, 'passthrough');
    await sleep(2000);
    browser = await BrowserViewer.open(relayUrl);
    const joins = await measureJoins(browser, JOINS, log);
    const glass = await measureGlassToGlass(browser, publisher, GLASS_S);
    log(glassLine('passthrough', glass));
    await browser.close();
    browser = undefined;
    await publisher.stop();
    publisher = undefined;

    log('\n# HLS glass to glass (1 s fMP4 segments, hls.js in Chromium, frames identified by a bar code)');
    const barcoded = await makeCameraClip(resultsDir, SOURCE, { barcode: true });
    const hls = await measureHlsLatency(barcoded, SOURCE.fps * 10, GLASS_S);
    log(`HLS over ${hls.samples} frames: p50 ${hls.p50.toFixed(0)} ms, p95 ${hls.p95.toFixed(0)} ms; playlist load to first frame ${hls.startMs.toFixed(0)} ms; stalls ${hls.stalls}`);
    return { joins, glass, transcoded, hls };
  } finally {
    await browser?.close().catch(() => undefined);
    await publisher?.stop().catch(() => undefined);
    await relay.stop();
  }
}

/** One fan-out run: a fresh relay process on the given path, the passthrough publisher, werift viewers. */
async function measureFanOut(clip: string, path: RelayForwarding): Promise<FanOutResult> {
  log(`\n# Fan-out on the ${path === 'fast' ? "relay's fast path" : "werift's RTCRtpSender"} (werift viewers in another process)`);
  const relay = BenchChild.start(join(here, 'live/relay-process.ts'), `relay-${path}`, [], { SIGHTLINE_RELAY_FORWARDING: path });
  const relayUrl = (await relay.ready) as string;
  let publisher: FeedPublisher | undefined;
  let viewers: BenchChild | undefined;
  try {
    publisher = await FeedPublisher.start(`${relayUrl}/whip`, clip, 'passthrough');
    await sleep(2000);
    viewers = BenchChild.start(join(here, 'live/viewer-process.ts'), 'viewers');
    await viewers.ready;
    const fanOut = await runFanOut(relay, viewers, relayUrl, {
      steps: STEPS,
      windowS: WINDOW_S,
      settleS: 2,
      profileS: 4,
      maxLoss: 0.01,
      saturationCores: 0.95,
      profileFile: join(resultsDir, `live-relay-${path}.cpuprofile`),
      log,
    });
    printFanOut(fanOut);
    return fanOut;
  } finally {
    await viewers?.stop();
    await publisher?.stop().catch(() => undefined);
    await relay.stop();
  }
}

function printFanOut(fanOut: FanOutResult): void {
  log('');
  log(
    table(
      ['viewers', 'on fast path', 'relay CPU', 'µs/pkt', 'pkt/s out', 'loss mean', 'loss p95', 'loss worst', 'viewers/core', 'viewer proc', 'loop p99', 'ok'],
      fanOut.steps.map((s) => [
        s.viewers,
        s.viewersOnFastPath,
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
  const p = fanOut.profile;
  if (!p) return;
  log(`\n# Relay CPU profile at ${p.viewers} viewers (${pct(p.busyShare)} of samples busy; shares of busy time; ${p.file})`);
  log(table(['self time by area', 'share'], p.categories.map((c) => [c.name, pct(c.share)])));
  log('');
  log(table(['top self-time functions', 'share'], p.functions.map((f) => [f.name, pct(f.share)])));
  log('');
  log(table(['inclusive (self + callees)', 'share'], p.inclusive.filter((f) => f.share > 0).map((f) => [f.name, pct(f.share)])));
}

/** Both paths at every step both measured, and their best steps, with the ratio werift / fast. */
function printComparison(fanOuts: { path: RelayForwarding; result: FanOutResult }[]): void {
  const werift = fanOuts.find((f) => f.path === 'werift')?.result;
  const fast = fanOuts.find((f) => f.path === 'fast')?.result;
  if (!werift || !fast) return;
  const at = (steps: FanOutStep[], viewers: number) => steps.find((s) => s.viewers === viewers);
  log("\n# Forwarding paths side by side (same steps; ratio = werift's cost / the fast path's)");
  log(
    table(
      ['viewers', 'werift µs/pkt', 'fast µs/pkt', 'ratio', 'werift CPU', 'fast CPU', 'werift loss', 'fast loss'],
      werift.steps
        .map((w) => [w, at(fast.steps, w.viewers)] as const)
        .filter((pair): pair is readonly [FanOutStep, FanOutStep] => pair[1] !== undefined)
        .map(([w, f]) => [
          w.viewers,
          w.microsPerForwardedPacket.toFixed(1),
          f.microsPerForwardedPacket.toFixed(1),
          `${(w.microsPerForwardedPacket / f.microsPerForwardedPacket).toFixed(2)} ×`,
          `${(w.relayCores * 100).toFixed(0)} %`,
          `${(f.relayCores * 100).toFixed(0)} %`,
          pct(w.lossMean),
          pct(f.lossMean),
        ]),
    ),
  );
  const best = (r: FanOutResult) => (r.bestGood ? `${r.bestGood.viewersPerCore.toFixed(0)} (${r.bestGood.viewers} viewers at ${(r.bestGood.relayCores * 100).toFixed(0)} % of a core, ${r.bestGood.microsPerForwardedPacket.toFixed(1)} µs/pkt)` : 'none');
  log('');
  log(
    table(
      ['viewers per relay core at < 1 % loss', 'werift', 'fast', 'ratio', 'target ≥ 200 met (fast)'],
      [
        [
          'best good step',
          best(werift),
          best(fast),
          werift.bestGood && fast.bestGood ? `${(fast.bestGood.viewersPerCore / werift.bestGood.viewersPerCore).toFixed(2)} ×` : '-',
          fast.bestGood && fast.bestGood.viewersPerCore >= 200 ? 'yes' : 'no',
        ],
      ],
    ),
  );
}

function printBrowserSummary({ joins, glass, transcoded, hls }: BrowserParts, fanOuts: { path: RelayForwarding; result: FanOutResult }[]): void {
  log('\n# Summary');
  const rows: (string | number)[][] = fanOuts.map(({ path, result }) => {
    const best = result.bestGood;
    return [`viewers per relay core, < 1 % loss (${path})`, best ? `${best.viewersPerCore.toFixed(0)} (${best.viewers} viewers at ${(best.relayCores * 100).toFixed(0)} % of a core, ${best.microsPerForwardedPacket.toFixed(1)} µs/pkt)` : 'none', '≥ 200', best && best.viewersPerCore >= 200 ? 'yes' : 'no'];
  });
  rows.push(
    ['WHEP POST → first decoded frame (median of ' + joins.joins.length + ')', `${joins.decodedMsMedian.toFixed(0)} ms (max ${joins.decodedMsMax.toFixed(0)})`, '≤ 1000 ms', joins.decodedMsMedian <= 1000 ? 'yes' : 'no'],
    ['glass-to-glass p50, passthrough (720p30)', `${glass.presentP50.toFixed(1)} ms`, '≤ 80 ms', glass.presentP50 <= 80 ? 'yes' : 'no'],
    ['glass-to-glass p95, passthrough', `${glass.presentP95.toFixed(1)} ms`, '≤ 150 ms', glass.presentP95 <= 150 ? 'yes' : 'no'],
    ['glass-to-glass p50, transcoding (720p30)', `${transcoded.presentP50.toFixed(1)} ms`, '≤ 80 ms', transcoded.presentP50 <= 80 ? 'yes' : 'no'],
    ['glass-to-glass p95, transcoding', `${transcoded.presentP95.toFixed(1)} ms`, '≤ 150 ms', transcoded.presentP95 <= 150 ? 'yes' : 'no'],
    ['HLS glass-to-glass p50 / p95 (hls.js)', `${hls.p50.toFixed(0)} / ${hls.p95.toFixed(0)} ms`, '≤ 3000 ms', hls.p95 <= 3000 ? 'yes' : 'no'],
  );
  log(table(['what', 'measured', 'target', 'met'], rows));
}

await main();
