import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHub, type Hub } from '@sightline/hub';
import { HOST_APPS_DIR, startHost, type HostAgent } from '@sightline/host';
import { isRunning } from '@sightline/streaming';
import { CreateAppRequestSchema } from '@sightline/protocol';
import { launchChromium } from '../../media/test/support/chromium.js';
import { ensureConsoleBuilt } from './support/console-dist.js';

const LOOPBACK = { loopbackOnly: true };
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-results', 'screenshots');

/**
 * Cloud play as a player does it, with every real part: the console served by a real hub (seeded with the test
 * catalogue), a real streaming host running the test game (a web page in Chromium kiosk mode on its own display),
 * and the console's player page (CloudPlayer) in headless Chromium. The player signs in, presses Play, and the keys
 * typed on the page change the game: read back from the decoded video's pixels. Ending the session from the page
 * stops the game, its display and its encoder.
 */
describe('cloud play through the console: sign in, Play, keys reach the game, End', () => {
  let dir: string;
  let hub: Hub;
  let host: HostAgent;
  let browser: Browser;
  let page: Page;

  const api = async <T,>(method: string, path: string, key: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${hub.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

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
    dir = mkdtempSync(join(tmpdir(), 'sightline-console-play-'));
    const apps = z.array(CreateAppRequestSchema).parse(JSON.parse(readFileSync(join(HOST_APPS_DIR, 'test-apps.json'), 'utf8')));
    hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent', ice: LOOPBACK, apps });
    const admin = await (await fetch(`${hub.url}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'console play test' }) })).json() as { apiKey: { key: string } };
    const adminKey = admin.apiKey.key;
    await api('PATCH', '/apps/key-game', adminKey, { width: 640, height: 360 });
    await api('POST', '/users', adminKey, { username: 'player', password: 'player password', role: 'viewer' });
    const { enrollment } = await api<{ enrollment: { token: string } }>('POST', '/devices', adminKey, { id: 'host-console', kind: 'host' });
    host = await startHost({ dataDir: join(dir, 'host'), hubUrl: hub.url, token: enrollment.token, slots: 1, heartbeatMs: 500, ice: LOOPBACK, logLevel: 'silent' });
    const deadline = Date.now() + 10_000;
    while (!(await api<{ online: boolean }[]>('GET', '/hosts', adminKey)).some((h) => h.online) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (err) => console.log(`console play: page error: ${err.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('plays the test game from the Apps page with the keyboard, and End stops everything', async () => {
    await page.goto(hub.url);
    await page.getByLabel('Username').fill('player');
    await page.getByLabel('Password').fill('player password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('button', { name: 'Play Key game (browser)' }).click();
    await page.waitForURL(/\/play\//);
    const sessionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    await page.getByTestId('play-page').and(page.locator('[data-phase="playing"]')).waitFor({ timeout: 60_000 });
    const hosted = host.sessions.get(sessionId)!;
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
    expect(host.sessions.has(sessionId)).toBe(false);
  });
});
