import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@sightline/hub';
import { startEdge, type EdgeAgent } from '@sightline/edge';
import { SightlineClient } from '@sightline/sdk';
import { launchChromium } from '../../media/test/support/chromium.js';
import { requireSharedData } from '../../vision/src/util/shared-data.js';
import { catalogModels } from '../../vision/src/models/catalog.js';
import { waitFor } from '../../cli/test/support/fleet-processes.js';
import { COUNTS_CSV_HEADER } from '../src/analytics/csv.js';
import { EVENTS_CSV_HEADER } from '../src/events/events-csv.js';
import { ensureConsoleBuilt } from './support/console-dist.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');
const DOC_IMAGES = join(REPO, 'docs', 'images');
const LOOPBACK = { loopbackOnly: true };
const ADMIN = { username: 'admin', password: 'console e2e password' };

/** Waits until the locator's text matches (playwright-core has no `expect`). */
async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return waitFor(`text ${pattern} in ${String(locator)}`, async () => {
    const text = (await locator.textContent({ timeout: 1000 }).catch(() => null)) ?? '';
    return pattern.test(text) && text;
  }, timeoutMs);
}

/** Frames decoded by the first <video> inside `scope`, and how many overlay pixels its canvas has painted. */
async function liveStats(scope: Locator): Promise<{ frames: number; width: number; painted: number }> {
  return scope.evaluate((root) => {
    const video = root.querySelector('video');
    const canvas = root.querySelector('canvas');
    const frames = video?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
    let painted = 0;
    if (canvas && canvas.width > 0 && canvas.height > 0) {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      // Boxes and labels are drawn opaque in track colours; the rest of the canvas is transparent.
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 200) painted += 1;
    }
    return { frames, width: video?.videoWidth ?? 0, painted };
  });
}

async function waitForLiveWithBoxes(scope: Locator, what: string): Promise<void> {
  const stats = await waitFor(`${what}: decoded video with boxes drawn`, async () => {
    const s = await liveStats(scope);
    return s.frames > 15 && s.width > 0 && s.painted > 200 && s;
  }, 45_000, 250);
  console.log(`console e2e: ${what}: ${stats.frames} frames decoded at ${stats.width} px wide, ${stats.painted} overlay pixels`);
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** One part of the page, whole even where it runs past the window. */
async function screenshotOf(locator: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await locator.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * The console end to end, as a person uses it, against a real hub and edge: first-run setup, enrolling a device with
 * the token the UI shows, adding a camera (and seeing an inline validation error), live video with boxes, drawing a
 * zone that the edge applies, its enter events arriving live, an event's clip, and the CSV export.
 */
describe('console in headless Chromium against a real hub and edge', () => {
  let dir: string;
  let hub: Hub;
  let edge: EdgeAgent | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const started = Date.now();

  beforeAll(async () => {
    ensureConsoleBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sightline-console-'));
    hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent', ice: LOOPBACK, liveGraceMs: 1000, modelCatalogue: catalogModels() });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, colorScheme: 'dark' });
    page = await context.newPage();
    page.on('pageerror', (err) => console.log(`console e2e: page error: ${err.message}`));
  }, 120_000);

  afterAll(async () => {
    // Each step is timed: a teardown that drags under a loaded CI machine shows which part it was.
    const step = async (name: string, work: () => Promise<unknown> | undefined) => {
      const at = Date.now();
      const slow = setTimeout(() => console.log(`console e2e: still closing the ${name} after 20 s`), 20_000);
      await work();
      clearTimeout(slow);
      console.log(`console e2e: ${name} closed in ${Date.now() - at} ms`);
    };
    await step('browser', () => browser?.close());
    await step('edge', () => edge?.close());
    await step('hub', () => hub?.close());
    rmSync(dir, { recursive: true, force: true });
    console.log(`console e2e: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  }, 120_000);

  it('takes a new hub from first-run setup to live video, a zone with events, a clip and a CSV export', async () => {
    // The hub serves the console at / and falls back to it for its own routes (a reload of a deep link works).
    const index = await fetch(`${hub.url}/fleet`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${hub.url}/api/v1/nope`)).status).toBe(404);

    // First run: the hub says it has no administrator yet, so the console asks for one; creating it signs in.
    await page.goto(hub.url);
    await page.getByRole('heading', { name: 'Create the administrator' }).waitFor();
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fleet' }).click();

    // Enroll a device: the dialog shows the one-time token and the exact command.
    await page.getByRole('button', { name: 'Enroll device' }).click();
    await page.getByLabel('Device id').fill('edge-1');
    await page.getByRole('button', { name: 'Create and show the token' }).click();
    const token = (await page.getByTestId('enroll-token').textContent())!.trim();
    const command = (await page.getByTestId('enroll-command').textContent())!.trim();
    expect(command).toBe(`sightline edge --hub ${hub.url} --token ${token}`);
    await page.getByRole('button', { name: 'Done' }).click();
    edge = await startEdge({ dataDir: join(dir, 'edge'), hubUrl: hub.url, token, heartbeatMs: 500, workers: 1, logLevel: 'silent', liveIce: LOOPBACK });
    await waitForText(page.getByTestId('device-edge-1').getByTestId('device-status'), /^online$/);

    // Add a camera; a bad value is refused by the hub and shown under its field.
    await page.getByRole('button', { name: 'Add camera' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a camera' });
    await dialog.getByLabel('Camera id').fill('crowd');
    await dialog.getByLabel('Name (optional)').fill('Crowd');
    await dialog.getByLabel('Source URL').fill(`loop:${requireSharedData('videos/pedestrians_crowd.mp4')}`);
    await dialog.getByLabel('Model').fill(requireSharedData('models/yolox_nano.onnx'));
    await dialog.getByLabel('Analysis fps').fill('500');
    await dialog.getByLabel('Recording').selectOption('events');
    await dialog.getByRole('button', { name: 'Add camera' }).click();
    await waitForText(dialog.locator('.field.has-error'), /Analysis fps.*(120|too big)/i);
    await dialog.getByLabel('Analysis fps').fill('5');
    await dialog.getByRole('button', { name: 'Add camera' }).click();
    await waitForText(page.getByTestId('camera-row-crowd').getByTestId('camera-state'), /^running$/, 45_000);

    // The camera wall plays it live with boxes.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cameras' }).click();
    const tile = page.getByTestId('tile-crowd');
    await waitForLiveWithBoxes(tile, 'camera wall');
    await screenshot(page, 'camera-wall');

    // The camera page: live view with overlays.
    await tile.getByRole('link', { name: 'Crowd' }).click();
    const live = page.locator('.camera-layout .live-view');
    await waitForLiveWithBoxes(live, 'camera page');
    await screenshot(page, 'camera-page');

    // Draw a zone over the lower two thirds of the picture, name it, save; the edge applies the new config.
    await page.getByRole('button', { name: 'Edit zones and lines' }).click();
    await page.getByRole('button', { name: 'Draw zone' }).click();
    const canvas = page.getByTestId('scene-canvas');
    const box = (await canvas.boundingBox())!;
    for (const [x, y] of [[0.04, 0.35], [0.96, 0.35], [0.96, 0.97], [0.04, 0.97]] as const) {
      await canvas.click({ position: { x: box.width * x, y: box.height * y } });
    }
    await page.getByRole('button', { name: /Finish zone/ }).click();
    await page.getByLabel('Id', { exact: true }).fill('walkway');
    await page.getByLabel('Name', { exact: true }).fill('Walkway');
    await page.getByLabel('Classes').fill('person');
    const before = Number(await page.getByTestId('applied-version').getAttribute('data-version'));
    await page.getByRole('button', { name: 'Save' }).click();
    await waitFor('the new config applied by the edge', async () => {
      const el = page.getByTestId('applied-version');
      return Number(await el.getAttribute('data-version')) > before && (await el.getAttribute('data-applied')) === 'true';
    }, 30_000);
    await waitForLiveWithBoxes(page.getByTestId('scene-editor'), 'zone editor');
    await screenshot(page, 'zone-editor');

    // Enter events for the zone appear in the events list without a reload.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Type').selectOption('zone.enter');
    await page.getByLabel('Zone').fill('walkway');
    await page.getByLabel('Zone').press('Enter');
    const firstEvent = page.getByTestId('event').first();
    await waitForText(firstEvent, /person #\d+ entered walkway/, 45_000);

    // The events of this filter as CSV.
    const [eventsDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const eventRows = readFileSync((await eventsDownload.path())!, 'utf8').trim().split(/\r\n/);
    expect(eventRows[0]).toBe(EVENTS_CSV_HEADER.join(','));
    expect(eventRows.length).toBeGreaterThan(1);
    expect(eventRows.slice(1).every((row) => /^[0-9a-f-]{36},\d{4}-\d\d-\d\dT[^,]+,crowd,edge-1,zone\.enter,person,[0-9.]+,\d+,walkway,,,,/.test(row))).toBe(true);

    // Its clip plays once the edge has uploaded the recording around it.
    const session = new SightlineClient({ baseUrl: hub.url });
    session.setApiKey((await session.auth.login(ADMIN)).token);
    const eventId = (await session.events.list({ zoneId: 'walkway', type: 'zone.enter', limit: 1 })).events[0]!.event.id;
    await waitFor('the event clip at the hub', async () => (await session.recordings.eventClip(eventId)).byteLength > 0, 45_000, 1000);
    await page.getByTestId('event').filter({ has: page.locator(`time`) }).first().click();
    const clip = page.getByTestId('event-clip');
    await waitFor('the clip to play', () => clip.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.duration > 0 && v.videoWidth > 0), 30_000);
    await page.keyboard.press('Escape');

    // Analytics: the counts of the last hour as CSV.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
    const exportButton = page.getByRole('button', { name: 'Export CSV' });
    await waitFor('counts loaded', () => exportButton.isEnabled(), 20_000);
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r\n/);
    expect(csv[0]).toBe(COUNTS_CSV_HEADER.join(','));
    const walkway = csv.slice(1).filter((row) => row.split(',')[2] === 'zone.enter' && row.split(',')[3] === 'walkway');
    expect(walkway.length).toBeGreaterThan(0);
    expect(walkway.every((row) => /^\d{4}-\d\d-\d\dT.*,crowd,zone\.enter,walkway,,,person,[1-9]\d*$/.test(row))).toBe(true);

    // Occupancy of the zones over the last minutes, replayed from their entries and exits.
    await page.getByRole('tab', { name: 'Occupancy' }).click();
    // (exact: the chart's title mentions periods too)
    await page.getByLabel('Period', { exact: true }).selectOption('15m');
    await page.getByTestId('occupancy-panel').locator('.recharts-line').first().waitFor({ timeout: 20_000 });
    await screenshotOf(page.locator('main'), 'analytics-occupancy');
    // The heatmap of the camera over its latest snapshot: real boxes over a real frame.
    await page.getByRole('tab', { name: 'Heatmap' }).click();
    const heat = page.getByTestId('heatmap-canvas');
    await heat.waitFor({ timeout: 20_000 });
    expect(Number(await heat.getAttribute('data-total'))).toBeGreaterThan(0);
    await waitFor('the snapshot behind the heatmap', () => page.locator('.heatmap-stage img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 10_000);
    await screenshotOf(page.locator('main'), 'analytics-heatmap');

    // The screenshots of this run illustrate the docs.
    mkdirSync(DOC_IMAGES, { recursive: true });
    for (const name of ['camera-wall', 'camera-page', 'zone-editor', 'analytics-occupancy', 'analytics-heatmap']) copyFileSync(join(SCREENSHOTS, `${name}.png`), join(DOC_IMAGES, `console-${name}.png`));
  }, 180_000);
});
