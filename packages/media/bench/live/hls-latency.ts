import { readFileSync, createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CameraFeed, FeedRtpSource, HlsSegmenter, WhipClient } from '../../src/index.js';
import { RelayWhipServer } from '../../test/publish-support/relay-whip-server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { BARCODE_BIT_PX, BARCODE_BITS } from './camera-clip.js';
import { percentile } from './stats.js';

export interface HlsLatencyResult {
  samples: number;
  p50: number;
  p95: number;
  /** From loading the playlist in the page to the first presented frame. */
  startMs: number;
  /** Times the player ran dry (the `waiting` event) while measuring. */
  stalls: number;
}

const PAGE = (hlsJs: string) => `<!doctype html><html><body><video id="v" muted autoplay playsinline></video>
<script>${hlsJs}</script><script>
window.samples = []; window.stalls = 0;
window.play = (src) => new Promise((resolve) => {
  const video = document.getElementById('v');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const hls = new Hls({ lowLatencyMode: true, liveSyncDurationCount: 1, liveMaxLatencyDurationCount: 3, maxLiveSyncPlaybackRate: 1.5 });
  hls.loadSource(src);
  hls.attachMedia(video);
  const loadedAt = performance.now();
  video.addEventListener('waiting', () => window.stalls++);
  const onFrame = (now, meta) => {
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    ctx.drawImage(video, 0, 0);
    const row = ctx.getImageData(0, 8, ${BARCODE_BITS * BARCODE_BIT_PX}, 1).data;
    let n = 0;
    for (let bit = 0; bit < ${BARCODE_BITS}; bit++) if (row[(bit * ${BARCODE_BIT_PX} + ${BARCODE_BIT_PX / 2}) * 4] > 128) n |= 1 << bit;
    window.samples.push({ n, presentedWallMs: performance.timeOrigin + meta.presentationTime });
    if (window.samples.length === 1) resolve(performance.now() - loadedAt);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
});
</script></body></html>`;

/**
 * HLS end to end, glass to glass: the edge's camera feed (a clip whose pictures carry their frame number as a bar
 * code) is published to a relay, an HlsSegmenter makes 1-second fMP4 segments of it as the hub does, and hls.js
 * plays them in Chromium. Each presented picture's bar code says which picture it is, hence when it entered the edge.
 */
export async function measureHlsLatency(clip: string, clipFrames: number, seconds: number): Promise<HlsLatencyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hls-'));
  const entered: number[] = [];
  const feed = new CameraFeed({ source: `loop:${clip}` });
  feed.subscribe((unit) => entered.push(unit.receivedAt));
  feed.start();
  const server = await RelayWhipServer.start('bench');
  const client = new WhipClient({ url: server.url, token: 'bench', encoder: new FeedRtpSource({ source: feed }), ice: { loopbackOnly: true } });
  let segmenter: HlsSegmenter | undefined;
  let http: Server | undefined;
  const browser = await launchChromium();
  try {
    await client.start();
    await client.whenConnected(20_000);
    server.relay.addTap((packet, codec) => {
      if (!segmenter) {
        segmenter = new HlsSegmenter({ dir: join(dir, 'hls'), codec });
        void segmenter.start();
      }
      segmenter.push(packet);
    });
    const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), 'utf8');
    http = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0]!;
      if (path === '/') return response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(hlsJs));
      const file = normalize(join(dir, 'hls', path));
      if (!file.startsWith(join(dir, 'hls')) || !existsSync(file)) return response.writeHead(404).end();
      response.writeHead(200, { 'content-type': file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp4', 'cache-control': 'no-cache' });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    // The playlist appears once the first segments are complete.
    for (let i = 0; i < 100 && !existsSync(join(dir, 'hls', 'index.m3u8')); i++) await sleep(100);
    const page = await browser.newPage();
    await page.goto(base);
    const startMs = await page.evaluate((src) => (globalThis as unknown as { play(s: string): Promise<number> }).play(src), `${base}/index.m3u8`);
    await sleep(3000); // let hls.js settle on its live edge
    const stallsBefore = await page.evaluate(() => (globalThis as unknown as { stalls: number }).stalls);
    const from = await page.evaluate(() => (globalThis as unknown as { samples: unknown[] }).samples.length);
    await sleep(seconds * 1000);
    const { samples, stalls } = await page.evaluate(() => {
      const w = globalThis as unknown as { samples: { n: number; presentedWallMs: number }[]; stalls: number };
      return { samples: w.samples, stalls: w.stalls };
    });
    const latencies: number[] = [];
    for (const { n, presentedWallMs } of samples.slice(from)) {
      // The newest picture with this frame number that had entered the edge before it was shown.
      for (let index = entered.length - 1; index >= 0; index--) {
        if (index % clipFrames === n % clipFrames && entered[index]! <= presentedWallMs) {
          latencies.push(presentedWallMs - entered[index]!);
          break;
        }
      }
    }
    return { samples: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), startMs, stalls: stalls - stallsBefore };
  } finally {
    await browser.close();
    await client.stop();
    await segmenter?.stop();
    await server.close();
    await feed.stop();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}
