import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '@sightline/hub';
import type { EdgeAgent } from '@sightline/edge';
import type { SightlineClient } from '@sightline/sdk';
import { launchChromium } from '../../media/test/support/chromium.js';
import { waitFor } from './support/fleet-processes.js';
import { startInProcessFleet, type InProcessFleet } from './support/in-process-fleet.js';

/** A white square crossing the picture every 4 s: it enters the right half (a zone) once per crossing. */
const camera = "lavfi:color=c=black:s=320x240:r=10[bg];color=c=white:s=24x24:r=10[fg];[bg][fg]overlay=x='mod(t*70,300)':y=100,realtime[out0]";

/**
 * Event-triggered recording end to end: the edge records the camera, keeps only the windows around its events,
 * uploads them with its own credentials, and the browser plays the clip of an event ("show me this moment").
 */
describe('recordings, edge to hub to browser', () => {
  let fleet: InProcessFleet;
  let hub: Hub;
  let edge: EdgeAgent;
  let client: SightlineClient;
  let browser: Browser;

  beforeAll(async () => {
    fleet = await startInProcessFleet('recordings', 'edge-rec');
    ({ hub, edge, client } = fleet);
    const { model } = fleet;
    await client.cameras.create({
      deviceId: 'edge-rec',
      id: 'yard',
      source: camera,
      model,
      fps: 5,
      motion: false,
      analytics: { zones: [{ id: 'right', polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] }], lines: [] },
      recording: { mode: 'events', preRollSeconds: 2, postRollSeconds: 2, retainDays: 1 },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  });

  it('uploads the windows around events, and the browser plays an event clip', async () => {
    const event = await waitFor('an enter event at the hub', async () => (await client.events.list({ cameraId: 'yard', type: 'zone.enter' })).events[0], 30_000);
    const from = event.event.wallTime - 2000;
    const to = event.event.wallTime + 2000;
    const listing = await waitFor('recordings covering the event', async () => {
      const l = await client.recordings.list('yard', { from, to });
      return l.ranges.some((r) => r.from <= from + 1000 && r.to >= to - 1000) && l;
    }, 40_000, 500);
    expect(listing.segments.length).toBeGreaterThan(0);
    // Nothing outside the event windows is kept: recorded time is far less than the time the camera has run.
    const all = await client.recordings.list('yard', { from: Date.now() - 3_600_000, to: Date.now() });
    const recordedMs = all.ranges.reduce((sum, r) => sum + (r.to - r.from), 0);
    console.log(`recordings: ${all.segments.length} segments, ${(recordedMs / 1000).toFixed(1)} s recorded; edge: ${JSON.stringify(edge.recordings.recordingOf('yard')?.stats)}`);

    const { token } = await client.recordings.token('yard');
    const url = client.recordings.eventClipUrl(event.event.id, { accessToken: token });
    const page = await browser.newPage();
    try {
      await page.route(`${hub.url}/clip.html`, (route) =>
        route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><body><video id="v" muted autoplay playsinline src="${url}"></video></body></html>` }),
      );
      await page.goto(`${hub.url}/clip.html`);
      const played = await waitFor('the event clip to play', async () => {
        const v = await page.evaluate(() => {
          const video = document.getElementById('v') as HTMLVideoElement;
          return { t: video.currentTime, w: video.videoWidth, d: video.duration, error: video.error?.message ?? null };
        });
        if (v.error) throw new Error(`the clip does not play: ${v.error}`);
        return v.t > 1 && v;
      }, 20_000, 200);
      expect(played.w).toBe(320);
      expect(played.d).toBeGreaterThan(2);
    } finally {
      await page.close();
    }
  }, 120_000);
});
