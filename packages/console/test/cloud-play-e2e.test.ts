import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalogue } from '@sightline/host';
import { isRunning } from '@sightline/streaming';
import { launchChromium } from '../../media/test/support/chromium.js';
import { startStreamingFleet, type StreamingFleet } from '../../host/test/support/streaming-fleet.js';
import { ensureConsoleBuilt } from './support/console-dist.js';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-results', 'screenshots');

/**
 * Cloud play as a player does it, with every real part: the console served by a real hub (seeded with the test
 * catalogue), a real streaming host running the test game (a web page in Chromium kiosk mode on its own display),
 * and the console's player page (CloudPlayer) in headless Chromium. The player signs in, presses Play, and the keys
 * typed on the page change the game: read back from the decoded video's pixels. Ending the session from the page
 * stops the game, its display and its encoder.
 */
describe('cloud play through the console: sign in, Play, keys reach the game, End', () => {
  let fleet: StreamingFleet;
  let browser: Browser;
  let page: Page;

  /** The colour of the game's field as the page's video shows it: the decoded picture, read through a canvas. */
  const fieldColour = () =>
    page.getByTestId('play-video').evaluate((video: HTMLVideoElement) => {
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(video, 0, 0);
      const data = context.getImageData(Math.round(canvas.width * 0.25), Math.round(canvas.height * 0.6), 8, 8).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
      return sum.map((v) => Math.round(v / (data.length / 4)));
    });
  const waitForField = async (name: string, match: (rgb: number[]) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let last: number[] = [];
    while (Date.now() < deadline) {
      last = await fieldColour();
      if (match(last)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the game's field never turned ${name}: rgb(${last.join(', ')})`);
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    fleet = await startStreamingFleet('console-play', {}, { apps: testCatalogue() });
    expect((await fleet.api('PATCH', '/apps/key-game', { width: 640, height: 360 }, fleet.adminKey)).status).toBe(200);
    await fleet.newPlayer('player');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (err) => console.log(`console play: page error: ${err.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  }, 60_000);

  it('plays the test game from the Apps page with the keyboard, and End stops everything', async () => {
    await page.goto(fleet.hub.url);
    await page.getByLabel('Username').fill('player');
    await page.getByLabel('Password').fill('player password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('button', { name: 'Play Key game (browser)' }).click();
    await page.waitForURL(/\/play\//);
    const sessionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    await page.getByTestId('play-page').and(page.locator('[data-phase="playing"]')).waitFor({ timeout: 60_000 });
    const hosted = fleet.host.sessions.get(sessionId)!;
    expect(hosted).toBeDefined();
    const pids = hosted.pids;
    // The game starts red (the kiosk browser may take a moment to load it); a key typed on the page turns it green.
    await waitForField('red', ([r, g, b]) => r! > 180 && g! < 80 && b! < 80, 30_000);
    await page.getByTestId('play-video').focus();
    await page.keyboard.press('Space');
    await waitForField('green', ([r, g, b]) => g! > 180 && r! < 80 && b! < 80, 10_000);
    await page.keyboard.press('KeyK');
    await waitForField('blue', ([r, g, b]) => b! > 180 && r! < 80 && g! < 80, 10_000);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'console-play.png') });

    // End, confirmed: the page says it ended and nothing of the session is left on the host.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: /^End/ }).first().click();
    await page.getByTestId('end-reason').waitFor({ timeout: 20_000 });
    const deadline = Date.now() + 10_000;
    while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(isRunning)).toEqual([]);
    expect(fleet.host.sessions.has(sessionId)).toBe(false);
  });
});
