/**
 * `npm run bench:cloudplay`: input-to-photon latency of cloud streaming on this machine, measured honestly in one run.
 * A real hub (this process: API, broker, relay) and a real streaming host (its own process) run the flip app (a key
 * flips two thirds of the screen between black and white, a bar moves every frame) on Xvfb; headless Chromium plays
 * the session over WHEP and sends each key press on the `input` data channel. The time is from sending the press to
 * the presentation (requestVideoFrameCallback's presentationTime) of the first frame that shows the flip: data channel
 * → hub → host → XTest → the app's redraw → x11grab → encoder → RTP → hub relay → Chromium's decoder and compositor.
 * Reported per codec (x264, VP8) and rate (30, 60 fps) at 1280×720: p50/p95/max, time to first frame (request →
 * first frame, and WHEP POST → first frame), capture+encode CPU per session; then how many concurrent 720p30 sessions
 * the host holds with the measured one's p95 still within 90 ms. Env: BENCH_CLOUDPLAY_PRESSES (40),
 * BENCH_CLOUDPLAY_CONFIGS (h264@30,h264@60,vp8@30,vp8@60), BENCH_CLOUDPLAY_MAX_SESSIONS (6). Raw results:
 * bench-results/cloudplay.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../media/test/support/chromium.js';
import { startHub, type Hub } from '@sightline/hub';
import type { StreamSession, VideoCodec } from '@sightline/protocol';
import { PLAYER_PAGE } from './cloudplay/player-page.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const FLIP_APP = join(here, 'cloudplay/flip-app.cjs');
const NODE_MODULES = join(repoRoot, 'node_modules');
const PRESSES = Number(process.env.BENCH_CLOUDPLAY_PRESSES ?? 40);
const MAX_SESSIONS = Number(process.env.BENCH_CLOUDPLAY_MAX_SESSIONS ?? 6);
const CONFIGS = (process.env.BENCH_CLOUDPLAY_CONFIGS ?? 'h264@30,h264@60,vp8@30,vp8@60').split(',').map((c) => {
  const [codec, fps] = c.split('@');
  if ((codec !== 'h264' && codec !== 'vp8') || !Number(fps)) throw new Error(`BENCH_CLOUDPLAY_CONFIGS: bad entry ${c}`);
  return { codec: codec as VideoCodec, fps: Number(fps) };
});
const P95_TARGET_MS = 90;

interface PressResult {
  presentedMs?: number;
  callbackMs?: number;
  error?: string;
}

const log = (line: string) => console.log(line);
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');

class Bench {
  constructor(
    readonly hub: Hub,
    readonly key: string,
  ) {}

  async api<T>(method: string, path: string, body?: unknown, key = this.key): Promise<T> {
    const res = await fetch(`${this.hub.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async app(codec: VideoCodec, fps: number): Promise<string> {
    const id = `flip-${codec}-${fps}`;
    await this.api('POST', '/apps', {
      id,
      name: `flip ${codec} ${fps}`,
      command: process.execPath,
      args: [FLIP_APP, String(fps)],
      env: { NODE_PATH: NODE_MODULES },
      width: 1280,
      height: 720,
      fps,
      codec,
      bitrateKbps: 4000,
    }).catch((error: Error) => {
      if (!error.message.includes('409')) throw error;
    });
    return id;
  }

  /** A player of its own (a player has one session at a time): its sign-in token. */
  async newPlayer(username: string): Promise<string> {
    await this.api('POST', '/users', { username, password: 'bench player', role: 'viewer' });
    return (await this.api<{ token: string }>('POST', '/auth/login', { username, password: 'bench player' })).token;
  }

  async startSession(appId: string, playerKey = this.key): Promise<{ session: StreamSession; requestedAt: number; runningAt: number }> {
    const requestedAt = Date.now();
    let session = await this.api<StreamSession>('POST', `/apps/${appId}/sessions`, {}, playerKey);
    const deadline = Date.now() + 30_000;
    while (session.state !== 'running') {
      if (session.state === 'ended' || Date.now() > deadline) throw new Error(`session did not run: ${session.state} ${session.endReason} ${session.message}`);
      await sleep(10);
      session = await this.api<StreamSession>('GET', `/sessions/${session.id}`);
    }
    return { session, requestedAt, runningAt: Date.now() };
  }

  async endSession(id: string): Promise<void> {
    await this.api('DELETE', `/sessions/${id}`);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await this.api<StreamSession>('GET', `/sessions/${id}`)).state !== 'ended') await sleep(50);
  }
}

interface Measurement {
  codec: VideoCodec;
  fps: number;
  background: number;
  presses: number;
  lost: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
  callbackP50: number;
  requestToFirstFrameMs: number;
  whepToFirstFrameMs: number;
  captureEncodeCpuPercent: number | null;
  hostFps: number | null;
  hostBitrateKbps: number | null;
  browser: Record<string, number>;
}

async function measure(bench: Bench, page: Page, codec: VideoCodec, fps: number, background: number): Promise<Measurement> {
  const appId = await bench.app(codec, fps);
  const { session, requestedAt } = await bench.startSession(appId);
  try {
    await page.goto(`${bench.hub.url}/bench-player.html`);
    const joined = (await page.evaluate(([url, token]) => (window as unknown as { join(u: string, t: string): Promise<{ whepToFirstFrameMs: number; firstFrameAt: number }> }).join(url!, token!), [session.whepUrl, bench.key])) as {
      whepToFirstFrameMs: number;
      firstFrameAt: number;
    };
    await sleep(2000);
    const results: PressResult[] = [];
    for (let i = 0; i < PRESSES; i++) {
      results.push((await page.evaluate((t) => (window as unknown as { press(t: number): Promise<PressResult> }).press(t), 1000)) as PressResult);
      // Irregular gaps, so presses do not lock to the capture clock.
      await sleep(200 + Math.random() * 250);
    }
    const browser = (await page.evaluate(() => (window as unknown as { stats(): Promise<Record<string, number>> }).stats())) as Record<string, number>;
    const described = await bench.api<StreamSession>('GET', `/sessions/${session.id}`);
    await page.evaluate(() => (window as unknown as { leave(): Promise<void> }).leave());
    const presented = results.flatMap((r) => (r.presentedMs === undefined ? [] : [r.presentedMs]));
    const callbacks = results.flatMap((r) => (r.callbackMs === undefined ? [] : [r.callbackMs]));
    return {
      codec,
      fps,
      background,
      presses: results.length,
      lost: results.filter((r) => r.error).length,
      p50: percentile(presented, 50),
      p95: percentile(presented, 95),
      max: Math.max(...presented),
      mean: presented.reduce((a, b) => a + b, 0) / presented.length,
      callbackP50: percentile(callbacks, 50),
      requestToFirstFrameMs: joined.firstFrameAt - requestedAt,
      whepToFirstFrameMs: joined.whepToFirstFrameMs,
      captureEncodeCpuPercent: described.hostStats?.cpuPercent ?? null,
      hostFps: described.hostStats?.fps ?? null,
      hostBitrateKbps: described.hostStats?.bitrateKbps ?? null,
      browser,
    };
  } finally {
    await bench.endSession(session.id);
  }
}

function startHostProcess(hubUrl: string, token: string, dataDir: string): Promise<ChildProcess> {
  const child = fork(join(here, 'cloudplay/host-process.ts'), [hubUrl, token, dataDir, String(MAX_SESSIONS + 1)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolvePromise, reject) => {
    child.once('message', () => resolvePromise(child));
    child.once('exit', (code) => reject(new Error(`host process exited (${code})`)));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-cloudplay-'));
  const resultsDir = join(repoRoot, 'bench-results');
  mkdirSync(resultsDir, { recursive: true });
  log(`bench:cloudplay on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`flip app at 1280×720, 4 Mbit/s cap; ${PRESSES} presses per configuration; hub in this process, host in its own, headless Chromium; all on 127.0.0.1`);
  const hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'warn', ice: { loopbackOnly: true } });
  const setup = (await (await fetch(`${hub.url}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'cloudplay bench' }) })).json()) as { apiKey: { key: string } };
  const bench = new Bench(hub, setup.apiKey.key);
  const { enrollment } = await bench.api<{ enrollment: { token: string } }>('POST', '/devices', { id: 'bench-host', kind: 'host' });
  const host = await startHostProcess(hub.url, enrollment.token, join(dir, 'host'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'] });
  const page = await browser.newPage();
  await page.route(`${hub.url}/bench-player.html`, (route) => route.fulfill({ contentType: 'text/html', body: PLAYER_PAGE }));
  while ((await bench.api<{ online: boolean }[]>('GET', '/hosts')).every((h) => !h.online)) await sleep(100);

  const results: Measurement[] = [];
  try {
    log('\n| codec | fps | p50 | p95 | max | lost | request → first frame | WHEP → first frame | capture+encode CPU | host fps | host kbit/s | browser fps |');
    log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const { codec, fps } of CONFIGS) {
      const m = await measure(bench, page, codec, fps, 0);
      results.push(m);
      log(`| ${codec} | ${fps} | ${ms(m.p50)} | ${ms(m.p95)} | ${ms(m.max)} | ${m.lost}/${m.presses} | ${ms(m.requestToFirstFrameMs)} | ${ms(m.whepToFirstFrameMs)} | ${m.captureEncodeCpuPercent ?? 'n/a'} % | ${m.hostFps ?? 'n/a'} | ${m.hostBitrateKbps ?? 'n/a'} | ${m.browser.fps ?? 'n/a'} |`);
    }

    log(`\nconcurrent 720p30 H.264 sessions (the others run the same app with nobody watching; the host still captures, encodes and publishes each), until two steps in a row have p95 > ${P95_TARGET_MS} ms:`);
    log('| sessions | p50 | p95 | lost | capture+encode CPU of the measured one | sessions on the host | machine CPU (host heartbeat, both cores = 100 %) | load average |');
    log('|---|---|---|---|---|---|---|---|');
    const background: string[] = [];
    const backgroundApp = await bench.app('h264', 30);
    let held = 0;
    let misses = 0;
    try {
      for (let sessions = 1; sessions <= MAX_SESSIONS; sessions++) {
        while (background.length < sessions - 1) {
          const player = await bench.newPlayer(`background-${background.length + 1}`);
          background.push((await bench.startSession(backgroundApp, player)).session.id);
        }
        await sleep(1000);
        const m = await measure(bench, page, 'h264', 30, sessions - 1);
        results.push(m);
        const hostNow = (await bench.api<{ sessions: number; cpuPercent: number | null }[]>('GET', '/hosts'))[0];
        log(`| ${sessions} | ${ms(m.p50)} | ${ms(m.p95)} | ${m.lost}/${m.presses} | ${m.captureEncodeCpuPercent ?? 'n/a'} % | ${hostNow?.sessions ?? 'n/a'} | ${hostNow?.cpuPercent ?? 'n/a'} % | ${loadavg()[0]!.toFixed(2)} |`);
        // One step's p95 is the second-worst of 40 presses: a single hiccup of a shared machine can lift it. The host
        // has reached its limit when two steps in a row miss the target.
        const missed = m.p95 > P95_TARGET_MS || m.lost > m.presses / 10;
        if (!missed) held = sessions;
        if (missed && misses > 0) break;
        misses = missed ? misses + 1 : 0;
      }
    } finally {
      for (const id of background) await bench.endSession(id).catch(() => undefined);
    }
    log(`\nsessions held with p95 ≤ ${P95_TARGET_MS} ms: ${held}`);
    const at60 = results.filter((r) => r.fps === 60 && r.background === 0);
    for (const r of at60) log(`720p60 ${r.codec}: p50 ${ms(r.p50)} (target ≤ 60), p95 ${ms(r.p95)} (target ≤ 90)`);
    const file = join(resultsDir, 'cloudplay.json');
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, presses: PRESSES, results, sessionsHeld: held }, null, 2));
    log(`raw results: ${file}`);
  } finally {
    await browser.close();
    host.kill('SIGTERM');
    await new Promise((r) => host.once('exit', r));
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
