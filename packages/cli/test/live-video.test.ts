import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../media/test/support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@sightline/hub';
import { startEdge, type EdgeAgent } from '@sightline/edge';
import { SightlineClient } from '@sightline/sdk';
import { writeTinyDetectorPackage } from '../../vision/src/detect/testing/index.js';
import { WHEP_VIEWER_PAGE } from '../../media/test/support/whep-viewer-page.js';
import { waitFor } from './support/fleet-processes.js';

const LOOPBACK = { loopbackOnly: true };
const camera = "lavfi:color=c=black:s=320x240:r=10[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x='mod(20+t*60,280)':y=100,realtime[out0]";

interface PlayerStats {
  framesDecoded: number;
  videoWidth: number;
}
interface WhepWindow {
  whepJoin(url: string): Promise<{ decodedMs: number }>;
  whepStats(): Promise<PlayerStats[]>;
  players: { pc: RTCPeerConnection; location: string | null }[];
}

/**
 * A camera's live video end to end: a browser opens WHEP on the hub, the hub asks the edge to publish (WHIP), the
 * browser decodes frames; the edge publishes once for several viewers and stops when nobody watches.
 */
describe('live video on demand, hub and edge, in headless Chromium', () => {
  let dir: string;
  let hub: Hub;
  let edge: EdgeAgent;
  let client: SightlineClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-live-'));
    const model = writeTinyDetectorPackage(join(dir, 'tiny'), { inputSize: 128 }).dir;
    hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent', ice: LOOPBACK, liveGraceMs: 1000 });
    const { apiKey } = await new SightlineClient({ baseUrl: hub.url }).auth.setup({ username: 'admin', password: 'live video test' });
    client = new SightlineClient({ baseUrl: hub.url, apiKey: apiKey.key });
    const { enrollment } = await client.devices.create({ id: 'edge-live' });
    edge = await startEdge({ dataDir: join(dir, 'edge'), hubUrl: hub.url, token: enrollment.token, heartbeatMs: 500, workers: 1, logLevel: 'silent', liveIce: LOOPBACK });
    await client.cameras.create({ deviceId: 'edge-live', id: 'door', source: camera, model, fps: 5 });
    await waitFor('the camera running', async () => (await client.devices.get('edge-live')).cameras.some((c) => c.cameraId === 'door' && c.state === 'running'));
    browser = await launchChromium();
    page = await browser.newPage();
    // Served from the hub's origin so the page's WHEP requests are same-origin.
    await page.route(`${hub.url}/viewer.html`, (route) => route.fulfill({ contentType: 'text/html', body: WHEP_VIEWER_PAGE }));
    await page.goto(`${hub.url}/viewer.html`);
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses WHEP without a token and with a token for another camera or action', async () => {
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
    const post = (query: string) =>
      fetch(`${hub.url}/api/v1/cameras/door/whep${query}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    expect((await post('')).status).toBe(401);
    expect((await post('?access_token=mt_forged.token')).status).toBe(403);
    await client.cameras.create({ deviceId: 'edge-live', id: 'other', source: camera, fps: 1, enabled: false });
    const other = await (await fetch(`${hub.url}/api/v1/cameras/other/live-token`, { method: 'POST', headers: { authorization: `Bearer ${await adminKey()}` } })).json();
    expect((await post(`?access_token=${other.token}`)).status).toBe(403);
  });

  it('starts publishing for the first viewer, decodes frames in the browser, and publishes once for two viewers', async () => {
    expect(edge.live.cameraIds).toEqual([]);
    const { whepUrl, token } = await (await fetch(`${hub.url}/api/v1/cameras/door/live-token`, { method: 'POST', headers: { authorization: `Bearer ${await adminKey()}` } })).json();
    const url = `${whepUrl}?access_token=${token}`;
    const first = await page.evaluate((u) => (window as unknown as WhepWindow).whepJoin(u), url);
    console.log(`live: WHEP POST to first decoded frame ${first.decodedMs.toFixed(0)} ms (edge not publishing before)`);
    const second = await page.evaluate((u) => (window as unknown as WhepWindow).whepJoin(u), url);
    console.log(`live: second viewer, WHEP POST to first decoded frame ${second.decodedMs.toFixed(0)} ms`);
    const stats = await waitFor('both viewers decoding', async () => {
      const s = await page.evaluate(() => (window as unknown as WhepWindow).whepStats());
      return s.every((p) => p.framesDecoded > 20) && s;
    }, 30_000);
    expect(stats).toHaveLength(2);
    expect(stats.every((p) => p.videoWidth === 320)).toBe(true);
    expect(edge.live.cameraIds).toEqual(['door']);

    // Both leave: the sessions end (DELETE with the token), and after the grace period the edge stops publishing.
    const locations = await page.evaluate(() => {
      const w = window as unknown as WhepWindow;
      const l = w.players.map((p) => p.location);
      w.players.splice(0).forEach((p) => p.pc.close());
      return l;
    });
    for (const location of locations) {
      const res = await fetch(`${hub.url}${location}?access_token=${token}`, { method: 'DELETE' });
      expect(res.status).toBe(204);
    }
    await waitFor('the edge to stop publishing', () => edge.live.cameraIds.length === 0, 15_000);
  });

  it('ten browser viewers of one camera all decode frames while the edge publishes once', async () => {
    const { whepUrl, token } = await (await fetch(`${hub.url}/api/v1/cameras/door/live-token`, { method: 'POST', headers: { authorization: `Bearer ${await adminKey()}` } })).json();
    const pages = await Promise.all(Array.from({ length: 10 }, () => browser.newPage()));
    try {
      for (const p of pages) {
        await p.route(`${hub.url}/viewer.html`, (route) => route.fulfill({ contentType: 'text/html', body: WHEP_VIEWER_PAGE }));
        await p.goto(`${hub.url}/viewer.html`);
      }
      await Promise.all(pages.map((p) => p.evaluate((u) => (window as unknown as WhepWindow).whepJoin(u), `${whepUrl}?access_token=${token}`)));
      const decoded = await waitFor('every viewer decoding', async () => {
        const counts = await Promise.all(pages.map(async (p) => (await p.evaluate(() => (window as unknown as WhepWindow).whepStats()))[0]!.framesDecoded));
        return counts.every((c) => c > 20) && counts;
      }, 30_000);
      console.log(`live: 10 browser viewers, frames decoded: ${decoded.join(', ')}`);
      expect(edge.live.cameraIds).toEqual(['door']);
      // One WHIP session, connected once, carries the camera to every viewer.
      expect(edge.live.statsOf('door')?.connects).toBe(1);
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
    await waitFor('the edge to stop publishing', () => edge.live.cameraIds.length === 0, 20_000);
  }, 60_000);

  it('blacks out privacy masks at the edge, before the video leaves it', async () => {
    await client.cameras.create({
      deviceId: 'edge-live',
      id: 'private',
      source: 'lavfi:color=c=white:s=320x240:r=10,realtime',
      model: (await client.cameras.get('door')).config.model,
      fps: 1,
      privacy: { masks: [{ id: 'window', polygon: [[0.25, 0.25], [0.75, 0.25], [0.75, 0.75], [0.25, 0.75]] }] },
    });
    await waitFor('the masked camera running', async () => (await client.devices.get('edge-live')).cameras.some((c) => c.cameraId === 'private' && c.state === 'running'));
    const { whepUrl, token } = await (await fetch(`${hub.url}/api/v1/cameras/private/live-token`, { method: 'POST', headers: { authorization: `Bearer ${await adminKey()}` } })).json();
    await page.evaluate((u) => (window as unknown as WhepWindow).whepJoin(u), `${whepUrl}?access_token=${token}`);
    const pixels = await waitFor('decoded pixels', async () => {
      const p = await page.evaluate(() => {
        const w = window as unknown as { players: { video: HTMLVideoElement }[] };
        const video = w.players[w.players.length - 1]!.video;
        if (video.videoWidth === 0) return null;
        const canvas = document.createElement('canvas');
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const g = canvas.getContext('2d')!;
        g.drawImage(video, 0, 0);
        const at = (x: number, y: number) => g.getImageData(Math.round(x * canvas.width), Math.round(y * canvas.height), 1, 1).data[0]!;
        return { centre: at(0.5, 0.5), corner: at(0.05, 0.05), inside: at(0.3, 0.3), outside: at(0.9, 0.5) };
      });
      return p && p.corner > 200 && p;
    }, 20_000);
    expect(pixels.centre).toBeLessThan(40);
    expect(pixels.inside).toBeLessThan(40);
    expect(pixels.outside).toBeGreaterThan(200);

    // A deleted camera's relay is closed: its still-valid token leads nowhere.
    await client.cameras.delete('private');
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
    const res = await fetch(`${whepUrl}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    expect(res.status).toBe(404);
    await waitFor('the edge to stop publishing the deleted camera', () => !edge.live.cameraIds.includes('private'), 15_000);
  });

  it('serves an HLS rendition that hls.js plays, with the token carried into every segment URL', async () => {
    const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), 'utf8');
    const { token } = await (await fetch(`${hub.url}/api/v1/cameras/door/live-token`, { method: 'POST', headers: { authorization: `Bearer ${await adminKey()}` } })).json();
    expect((await fetch(`${hub.url}/api/v1/cameras/door/hls/index.m3u8`)).status).toBe(401);
    const hlsPage = await browser.newPage();
    try {
      await hlsPage.route(`${hub.url}/hls.html`, (route) =>
        route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><body><video id="v" muted autoplay playsinline></video><script>${hlsJs}</script></body></html>` }),
      );
      await hlsPage.goto(`${hub.url}/hls.html`);
      const started = Date.now();
      await hlsPage.evaluate((src) => {
        const w = window as unknown as { Hls: new (config: object) => { loadSource(s: string): void; attachMedia(v: HTMLVideoElement): void } };
        const hls = new w.Hls({ lowLatencyMode: true, liveSyncDurationCount: 2, manifestLoadingTimeOut: 20000 });
        hls.loadSource(src);
        hls.attachMedia(document.getElementById('v') as HTMLVideoElement);
      }, `${hub.url}/api/v1/cameras/door/hls/index.m3u8?access_token=${token}`);
      const playing = await waitFor('hls.js to play', async () => {
        const v = await hlsPage.evaluate(() => {
          const video = document.getElementById('v') as HTMLVideoElement;
          return { t: video.currentTime, w: video.videoWidth };
        });
        return v.t > 1 && v.w === 320 && v;
      }, 40_000, 250);
      console.log(`live: HLS request to playback past 1 s of video: ${Date.now() - started} ms`);
      expect(playing.w).toBe(320);
    } finally {
      await hlsPage.close();
    }
  });

  async function adminKey(): Promise<string> {
    const key = await client.apiKeys.create({ name: 'live test', scope: 'read' });
    return key.key;
  }
});
