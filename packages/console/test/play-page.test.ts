import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { App } from '@sightline/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../media/test/support/chromium.js';
import { CONSOLE_DIST_DIR, ensureConsoleBuilt } from './support/console-dist.js';
import { PlayMockHub, SESSION_COOKIE } from './support/play-mock-hub.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');
const DOC_IMAGES = join(REPO, 'docs', 'images');

const GAME: App = {
  id: 'test-game',
  name: 'Test game',
  description: 'A test pattern that answers every key',
  command: '/usr/games/test-game',
  args: [],
  env: {},
  width: 640,
  height: 360,
  fps: 30,
  codec: 'h264',
  bitrateKbps: 2000,
  inputProfile: 'keyboard-mouse',
  saveData: false,
  idleTimeoutSeconds: 600,
  maxDurationSeconds: 3600,
  createdAt: 1_760_000_000_000,
  updatedAt: 1_760_000_000_000,
};

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

const framesDecoded = (page: Page) => page.evaluate(() => (document.querySelector('[data-testid="play-video"]') as HTMLVideoElement | null)?.getVideoPlaybackQuality().totalVideoFrames ?? 0);

/**
 * The console's cloud-streaming pages in headless Chromium: the apps catalogue (with an inline validation error),
 * Play, and the player page through its states (queued with the position, starting, running with video, HUD and
 * input, ended with the reason, play again), sharing a spectate link and watching with it without signing in.
 *
 * Why a mock hub: these are the page's own behaviours, and the states must be driven on cue (queue positions, a
 * session ending at a chosen moment), which a real hub only gives with a host and an app behind it and their timing.
 * So a small server stands in for the few routes the pages call (`support/play-mock-hub.ts`), with a real WebRTC
 * peer (werift, ffmpeg's test pattern) for the video and the input channels. The end-to-end path (hub, host, the app
 * on its display, Chromium) is tested separately with the hub and host.
 */
describe('the console player page in headless Chromium', () => {
  let hub: PlayMockHub;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sessionId: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    hub = new PlayMockHub(CONSOLE_DIST_DIR);
    hub.apps = [GAME];
    baseUrl = await hub.listen();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Signed in: the hub's HttpOnly session cookie, which the page's scripts never see.
    await context.addCookies([{ name: SESSION_COOKIE, value: 'session-ada', url: baseUrl, httpOnly: true }]);
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('[page]', error));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    // The console may have to be built first (tsc and vite: a minute or more on a busy machine).
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('lists the apps with their picture, codec and input, and Play opens the player page in the queue', async () => {
    await page.goto(`${baseUrl}/apps`);
    const card = page.getByTestId('app-test-game');
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Test game[\s\S]*640×360 at 30 fps[\s\S]*H\.264[\s\S]*Keyboard and mouse/);
    // A viewer may play but not edit.
    expect(await page.getByRole('button', { name: 'Add app' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Edit Test game' }).count()).toBe(0);
    await screenshot(page, 'apps');
    await card.getByRole('button', { name: 'Play Test game' }).click();
    await page.waitForURL(/\/play\/[0-9a-f-]{36}$/);
    sessionId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(hub.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/apps/test-game/sessions')).toMatchObject({ auth: 'cookie', body: '{}' });
    await expect.poll(() => page.getByTestId('queue-position').textContent()).toBe('You are number 2 in the queue');
    // Outside the shell: no navigation bar.
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    // The state stream is read with the session cookie, not a token in the URL.
    expect(hub.requests.find((r) => r.path === `/api/v1/sessions/${sessionId}/state`)).toMatchObject({ auth: 'cookie' });
    await screenshot(page, 'play-queued');
  });

  it('moves through the queue and starting to running: video, the keyboard on the game, the HUD', async () => {
    const session = hub.sessions.get(sessionId)!;
    hub.push({ ...session, queuePosition: 1 });
    await expect.poll(() => page.getByTestId('queue-position').textContent()).toBe('You are number 1 in the queue');
    hub.push({ ...session, state: 'starting', queuePosition: null, hostId: 'host-1' });
    await page.getByRole('heading', { name: 'Starting Test game…' }).waitFor();
    expect(await page.getByTestId('play-phase').textContent()).toBe('Starting');
    hub.push({ ...session, state: 'running', queuePosition: null, hostId: 'host-1', startedAt: Date.now() });
    await waitFor('frames decoded', async () => (await framesDecoded(page)) > 15);
    expect(await page.getByTestId('play-phase').textContent()).toBe('Live');
    expect(await page.getByTestId('play-overlay').count()).toBe(0);
    // The keyboard goes to the game by itself.
    await waitFor('the video focused', () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'play-video'));
    const hud = page.getByTestId('stats-hud');
    // The HUD (on by default) fills in: the bitrate from the second stats reading on.
    await waitFor('HUD figures', async () => Number(await hud.locator('[data-stat="fps"] dd').textContent()) > 0 && /bit\/s$/.test((await hud.locator('[data-stat="bitrate"] dd').textContent()) ?? ''));
    const figures = await hud.innerText();
    console.log('player page HUD:', figures.replace(/\n/g, ' '));
    expect(figures).toMatch(/RTT\s+\d+ ms/);
    expect(figures).toMatch(/Bitrate\s+[\d.]+ (k|M)bit\/s/);
    expect(figures).toMatch(/Loss\s+[\d.]+ %/);
    expect(figures).toMatch(/Resolution\s+640×360/);
    await screenshot(page, 'play-running');
  });

  it('sends keys to the game; F2 toggles the HUD and stays in the page; Escape does not end the session', async () => {
    const peer = hub.playerOf(sessionId)!;
    await waitFor('the input channel', () => peer.channels.get('input')?.readyState === 'open');
    await page.keyboard.press('KeyA');
    await page.keyboard.press('F2');
    await page.getByTestId('stats-hud').waitFor({ state: 'detached' });
    await page.keyboard.press('F2');
    await page.getByTestId('stats-hud').waitFor();
    await page.keyboard.press('Escape');
    await waitFor('4 key messages', () => peer.parsed('input').length >= 4);
    await sleep(300);
    expect(peer.parsed('input')).toEqual([
      { type: 'key', code: 'KeyA', down: true },
      { type: 'key', code: 'KeyA', down: false },
      { type: 'key', code: 'Escape', down: true },
      { type: 'key', code: 'Escape', down: false },
    ]);
    expect(hub.requests.filter((r) => r.method === 'DELETE' && r.path === `/api/v1/sessions/${sessionId}`)).toEqual([]);
    expect(await page.getByTestId('play-phase').textContent()).toBe('Live');
    // A click on the picture goes to the game too, as a button.
    await page.getByTestId('play-video').click();
    await waitFor('the click', () => peer.parsed('input').length >= 6);
    expect(peer.parsed('input').slice(4)).toEqual([
      { type: 'button', button: 0, down: true },
      { type: 'button', button: 0, down: false },
    ]);
  });

  it('shows when a gamepad is connected', async () => {
    expect(await page.getByTestId('gamepad-indicator').count()).toBe(0);
    await page.evaluate(() => {
      const pad = { index: 0, id: 'Test pad (STANDARD GAMEPAD)', mapping: 'standard', connected: true, buttons: Array.from({ length: 17 }, () => ({ value: 0, pressed: false })), axes: [0, 0, 0, 0] };
      Object.defineProperty(navigator, 'getGamepads', { value: () => [pad, null, null, null], configurable: true });
      const event = new Event('gamepadconnected');
      Object.defineProperty(event, 'gamepad', { value: pad });
      window.dispatchEvent(event);
    });
    await expect.poll(() => page.getByTestId('gamepad-indicator').textContent()).toContain('Gamepad connected');
  });

  it('shares a spectate link that opens the same page view-only, without signing in', async () => {
    await page.getByRole('button', { name: 'Share to spectate' }).click();
    const link = await page.getByTestId('spectate-link').textContent();
    expect(link).toBe(`${baseUrl}/play/${sessionId}?spectate=spectate-link-token`);
    await page.getByRole('dialog', { name: 'Share to spectate' }).getByRole('button', { name: 'Done' }).click();

    const spectatorContext = await browser.newContext({ viewport: { width: 960, height: 600 } });
    try {
      const spectator = await spectatorContext.newPage();
      spectator.on('pageerror', (error) => console.error('[spectator page]', error));
      await spectator.goto(link!);
      await waitFor('the spectator watching', async () => (await spectator.getByTestId('play-phase').textContent()) === 'Watching', 20_000);
      await waitFor('frames decoded by the spectator', async () => (await framesDecoded(spectator)) > 10);
      const peer = hub.peers.filter((p) => p.role === 'spectator').at(-1)!;
      expect(peer.offerSdp).not.toMatch(/m=application/);
      // The hub does not let a spectate token read the state stream: the page watches without it.
      expect(hub.requests.filter((r) => r.path === `/api/v1/sessions/${sessionId}/state` && r.auth === 'bearer:spectate-link-token').map((r) => r.status)).toContain(401);
      expect(await spectator.getByRole('button', { name: /^End$/ }).count()).toBe(0);
      expect(await spectator.getByRole('button', { name: 'Share to spectate' }).count()).toBe(0);
      await spectator.getByTestId('play-video').click();
      await spectator.keyboard.press('KeyA');
      await sleep(200);
      expect(peer.messages).toEqual([]);
      await screenshot(spectator, 'play-spectator');
    } finally {
      await spectatorContext.close();
    }
  });

  it('ends with End (after a confirmation), shows the reason, and plays again', async () => {
    await page.getByRole('button', { name: 'End', exact: true }).click();
    expect(dialogs.at(-1)).toMatch(/^End Test game\?/);
    await page.getByRole('heading', { name: 'Session ended' }).waitFor();
    expect(hub.requests.filter((r) => r.method === 'DELETE' && r.path === `/api/v1/sessions/${sessionId}`)).toMatchObject([{ auth: 'cookie', status: 204 }]);
    expect(await page.getByTestId('end-reason').textContent()).toBe('The session was ended.');
    expect(await page.getByTestId('play-phase').textContent()).toBe('Ended');
    await waitFor('the viewer deleted', () => hub.playerOf(sessionId) === undefined);
    // Focus is on Play again, for the keyboard.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Play again');
    await screenshot(page, 'play-ended');
    await page.getByRole('button', { name: 'Play again' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/play/') && !url.pathname.endsWith(sessionId));
    await expect.poll(() => page.getByTestId('queue-position').textContent()).toBe('You are number 2 in the queue');
    await page.getByRole('link', { name: 'Back to the console' }).click();
    await page.waitForURL(`${baseUrl}/apps`);
  });

  it('lists my sessions: state, queue place, a way back in, the end reason and the recording', async () => {
    hub.push({ ...hub.sessions.get(sessionId)!, recording: 'ready' });
    await page.goto(`${baseUrl}/sessions`);
    const ended = page.getByTestId(`session-${sessionId}`);
    await ended.waitFor();
    expect(await ended.getByTestId('session-state').textContent()).toBe('ended');
    expect(await ended.innerText()).toContain('The session was ended.');
    expect(await ended.getByRole('link', { name: 'Download the recording' }).getAttribute('href')).toBe(`/api/v1/sessions/${sessionId}/recording.mp4`);
    const queued = page.locator('tr', { has: page.getByText('queued · #2') });
    expect(await queued.count()).toBe(1);
    await queued.getByRole('link', { name: 'Open Test game' }).click();
    await page.waitForURL(/\/play\//);
    await expect.poll(() => page.getByTestId('queue-position').textContent()).toBe('You are number 2 in the queue');
  });

  it('says so when the session does not exist', async () => {
    await page.goto(`${baseUrl}/play/0190b2a4-1c2d-7e3f-8a9b-ffffffffffff`);
    await page.getByRole('heading', { name: 'This session does not exist' }).waitFor();
    expect(await page.getByTestId('play-phase').textContent()).toBe('Unavailable');
  });

  it('lets an admin add an app, with the hub’s refusal shown under its field', async () => {
    hub.role = 'admin';
    hub.createAppReplies.push({ status: 400, json: { error: { code: 'validation_failed', message: 'fps: Too big: expected number to be <=120', field: 'fps' } } });
    await page.goto(`${baseUrl}/apps`);
    await page.getByRole('button', { name: 'Add app' }).click();
    const form = page.getByRole('form', { name: 'Add an app' });
    await form.getByLabel('App id').fill('xterm');
    await form.getByLabel('Name').fill('Terminal');
    await form.getByLabel('Command').fill('xterm');
    await form.getByLabel('Frames per second').fill('500');
    await form.getByRole('button', { name: 'Add app' }).click();
    const error = form.locator('.field.has-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/Frames per second[\s\S]*fps: Too big/);
    expect(await form.getByLabel('Frames per second').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Frames per second').fill('60');
    await form.getByRole('button', { name: 'Add app' }).click();
    await page.getByTestId('app-xterm').waitFor();
    const sent = hub.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/apps').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(sent.at(-1)).toMatchObject({ id: 'xterm', name: 'Terminal', command: 'xterm', fps: 60, width: 1280, codec: 'h264', inputProfile: 'keyboard-mouse' });
    await screenshot(page, 'apps-admin');
    hub.role = 'viewer';
    mkdirSync(DOC_IMAGES, { recursive: true });
    for (const name of ['apps-admin', 'play-queued', 'play-running', 'play-ended']) copyFileSync(join(SCREENSHOTS, `${name}.png`), join(DOC_IMAGES, `console-${name}.png`));
  });
});
