import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '@sightline/hub';
import type { SightlineClient } from '@sightline/sdk';
import type { LiveOverlayFrame } from '@sightline/protocol';
import { launchChromium } from '../../media/test/support/chromium.js';
import { WHEP_VIEWER_PAGE } from '../../media/test/support/whep-viewer-page.js';
import { waitFor } from './support/fleet-processes.js';
import { startInProcessFleet, type InProcessFleet } from './support/in-process-fleet.js';

/** A white square that jumps 12 px right on every frame: where it is on screen says which frame is showing. */
const STEP_PX = 12;
const camera = `lavfi:color=c=black:s=320x240:r=10[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x='mod(20+n*${STEP_PX},276)':y=100,realtime[out0]`;

interface Sample {
  rtpTimestamp: number;
  /** Left edge of the white square in the presented picture, read from its pixels. */
  squareX: number | null;
}

/** In the page: for every presented frame (requestVideoFrameCallback), its RTP timestamp and where the square is. */
const SAMPLER = `
window.sampleFrames = (seconds) => new Promise((resolve) => {
  const video = window.players.at(-1).video;
  const canvas = document.createElement('canvas');
  canvas.width = 320; canvas.height = 240;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const samples = [];
  const until = performance.now() + seconds * 1000;
  const onFrame = (now, meta) => {
    ctx.drawImage(video, 0, 0, 320, 240);
    const row = ctx.getImageData(0, 112, 320, 1).data;
    let squareX = null;
    for (let x = 0; x < 320; x++) if (row[x * 4] > 128) { squareX = x; break; }
    samples.push({ rtpTimestamp: meta.rtpTimestamp, squareX });
    if (performance.now() < until) video.requestVideoFrameCallback(onFrame); else resolve(samples);
  };
  video.requestVideoFrameCallback(onFrame);
});
window.overlays = [];
window.listenOverlays = (url) => new Promise((resolve, reject) => {
  const source = new EventSource(url);
  source.addEventListener('overlay', (e) => window.overlays.push(JSON.parse(e.data)));
  source.onopen = () => resolve();
  source.onerror = () => reject(new Error('overlay stream failed'));
});`;

/**
 * Overlays land on the frame they were computed from: the edge analyses every frame of a camera whose picture says
 * which frame it is, the browser reads each presented frame's RTP timestamp and pixels, and the overlay frame keyed by
 * that timestamp must put the box where the square is on that very picture (one frame off would be 12 px off).
 */
describe('live overlays in headless Chromium', () => {
  let fleet: InProcessFleet;
  let hub: Hub;
  let client: SightlineClient;
  let browser: Browser;
  let page: Page;
  let adminKey: string;

  beforeAll(async () => {
    fleet = await startInProcessFleet('overlay', 'edge-overlay', { liveGraceMs: 1000 });
    ({ hub, client, adminKey } = fleet);
    const { model } = fleet;
    // Every frame analysed (10 of 10 fps), no motion gate: each presented picture has its own overlay frame.
    await client.cameras.create({ deviceId: 'edge-overlay', id: 'marker', source: camera, model, fps: 10, motion: false });
    await waitFor('the camera running', async () => (await client.devices.get('edge-overlay')).cameras.some((c) => c.cameraId === 'marker' && c.state === 'running'));
    browser = await launchChromium();
    page = await browser.newPage();
    await page.route(`${hub.url}/viewer.html`, (route) =>
      route.fulfill({ contentType: 'text/html', body: WHEP_VIEWER_PAGE.replace('</body>', `<script>${SAMPLER}</script></body>`) }),
    );
    await page.goto(`${hub.url}/viewer.html`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  });

  it('keys each overlay frame by the RTP timestamp of the picture it was computed from', async () => {
    const live = await fetch(`${hub.url}/api/v1/cameras/marker/live-token`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
    const { whepUrl, token } = (await live.json()) as { whepUrl: string; token: string };
    await page.evaluate((u) => (window as unknown as { listenOverlays(u: string): Promise<void> }).listenOverlays(u), `${hub.url}/api/v1/cameras/marker/live/overlay?access_token=${token}`);
    await page.evaluate((u) => (window as unknown as { whepJoin(u: string): Promise<unknown> }).whepJoin(u), `${whepUrl}?access_token=${token}`);
    const samples = await page.evaluate(() => (window as unknown as { sampleFrames(s: number): Promise<Sample[]> }).sampleFrames(5));
    const overlays = await page.evaluate(() => (window as unknown as { overlays: LiveOverlayFrame[] }).overlays);

    const byTimestamp = new Map(overlays.map((o) => [o.rtpTimestamp, o]));
    const withSquare = samples.filter((s) => s.squareX !== null && s.squareX > 4 && s.squareX < 270);
    const matched = withSquare.filter((s) => byTimestamp.has(s.rtpTimestamp));
    console.log(`overlay: ${samples.length} frames presented, ${overlays.length} overlay frames, ${matched.length} presented frames with their own overlay`);
    expect(samples.length).toBeGreaterThan(30);
    // Analysis runs on every frame; a few may be missed at the start or dropped under load.
    expect(matched.length).toBeGreaterThan(withSquare.length * 0.7);

    const errors = matched.map((s) => {
      const box = byTimestamp.get(s.rtpTimestamp)!.objects[0]?.box;
      return box ? Math.abs(box[0] - s.squareX!) : Number.POSITIVE_INFINITY;
    });
    console.log(`overlay: box vs picture, largest error ${Math.max(...errors).toFixed(1)} px (one frame off would be ${STEP_PX} px)`);
    for (const error of errors) expect(error).toBeLessThan(STEP_PX / 2);
  }, 60_000);
});
