import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testCatalogue } from '@sightline/host';
import { isRunning } from '@sightline/streaming';
import type { StreamSession } from '@sightline/protocol';
import { launchChromium } from '../../media/test/support/chromium.js';
import { startStreamingFleet, type StreamingFleet } from '../../host/test/support/streaming-fleet.js';
import { CLOUD_PLAYER_PAGE, type CloudPlayerWindow } from './support/cloud-player-page.js';

/**
 * Cloud streaming end to end with every real part: a hub seeded with the test catalogue, an enrolled host running the
 * test game (a web page in Chromium kiosk mode on the session's own Xvfb display, as an unprivileged uid), and
 * headless Chromium playing the session over WHEP: a key press sent on the input data channel changes the game, and
 * the change is read back from the decoded video's pixels. Ending the session leaves no process behind.
 */
describe('cloud play in headless Chromium: hub, host, test game', () => {
  let fleet: StreamingFleet;
  let page: Page;
  let browser: Browser;
  let playerToken: string;
  const api = <T,>(method: string, path: string, body?: unknown, key?: string) => fleet.api<T>(method, path, body, key ?? fleet.adminKey);
  const waitForSession = (id: string, state: StreamSession['state']) => fleet.waitForSession(id, state, 30_000, playerToken);

  const player = () => page as unknown as { evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> };
  const colourAt = (x: number, y: number) => player().evaluate(([px, py]) => (window as unknown as CloudPlayerWindow).colourAt(px!, py!), [x, y]);
  const waitForColour = async (x: number, y: number, match: (rgb: number[]) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let last: number[] = [];
    while (Date.now() < deadline) {
      last = await colourAt(x, y);
      if (match(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the picture at (${x}, ${y}) stayed rgb(${last.join(', ')})`);
  };
  const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 80 && b! < 80;
  const isGreen = ([r, g, b]: number[]) => g! > 180 && r! < 80 && b! < 80;

  beforeAll(async () => {
    fleet = await startStreamingFleet('cloud-play', { slots: 2 }, { apps: testCatalogue() });
    // The test game at a size a 2-core CI machine plays smoothly next to the browser that watches it.
    const patched = await api<{ width: number; args: string[] }>('PATCH', '/apps/key-game', { width: 640, height: 360 });
    expect(patched.status).toBe(200);
    expect(patched.body.args).toContain('--kiosk'); // a PATCH changes only what it names
    expect((await api('PATCH', '/apps/xjump', { width: 640, height: 480 })).status).toBe(200);
    playerToken = await fleet.newPlayer('player');
    browser = await launchChromium();
    page = await browser.newPage();
    // Served from the hub's origin, as the console is.
    await page.route(`${fleet.hub.url}/play.html`, (route) => route.fulfill({ contentType: 'text/html', body: CLOUD_PLAYER_PAGE }));
    await page.goto(`${fleet.hub.url}/play.html`);
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  });

  // A test that fails half way must not leave its session running: a player has one at a time.
  afterEach(async () => {
    const sessions = (await api<StreamSession[]>('GET', '/sessions', undefined, playerToken)).body;
    for (const session of sessions.filter((s) => s.state !== 'ended')) await api('DELETE', `/sessions/${session.id}`, undefined, playerToken);
  });

  it('the catalogue has the browser game and the Debian game', async () => {
    const apps = (await api<{ id: string; command: string }[]>('GET', '/apps', undefined, playerToken)).body;
    expect(apps.map((a) => a.id).sort()).toEqual(['key-game', 'xjump']);
    expect(apps.find((a) => a.id === 'xjump')!.command).toBe('/usr/games/xjump');
  });

  it('plays the test game: a key press changes the game, seen in the decoded video; ending leaves nothing running', async () => {
    const created = await api<StreamSession>('POST', '/apps/key-game/sessions', {}, playerToken);
    expect(created.status).toBe(201);
    const running = await waitForSession(created.body.id, 'running');
    const hosted = fleet.host.sessions.get(running.id)!;
    const joined = await player().evaluate(([url, token]) => (window as unknown as CloudPlayerWindow).join(url!, token!), [running.whepUrl, playerToken]);
    expect(joined.framesDecoded).toBeGreaterThan(0);

    // The game starts red; the page may take a moment to load in the kiosk browser.
    await waitForColour(0.25, 0.6, isRed, 20_000).catch(async (error: unknown) => {
      await page.screenshot({ path: join(fleet.dir, '..', 'cloud-play-failure.png') });
      throw error;
    });
    await player().evaluate((code) => (window as unknown as CloudPlayerWindow).key(code), 'Space');
    const after = await waitForColour(0.25, 0.6, isGreen, 5000);
    expect(isGreen(after)).toBe(true);
    // A click counts as a press too: the mouse goes through the unordered channel, the button through the reliable one.
    await player().evaluate(([x, y]) => (window as unknown as CloudPlayerWindow).click(x!, y!), [0.7, 0.7]);
    await waitForColour(0.25, 0.6, ([r, g, b]) => b! > 180 && r! < 80 && g! < 80, 5000);

    // The stream goes on (a loaded CI machine may decode only a few frames a second: the count must grow, not reach a rate).
    const decoded = () => player().evaluate(() => (window as unknown as CloudPlayerWindow).stats(), undefined).then((s) => s.framesDecoded);
    const before = await decoded();
    const growBy = Date.now() + 10_000;
    while ((await decoded()) <= before && Date.now() < growBy) await new Promise((r) => setTimeout(r, 200));
    expect(await decoded()).toBeGreaterThan(before);

    const pids = hosted.pids;
    const display = hosted.displayNumber;
    expect(pids.length).toBeGreaterThanOrEqual(4); // Xvfb, ffmpeg, Chromium and its helpers
    expect((await api('DELETE', `/sessions/${running.id}`, undefined, playerToken)).status).toBe(204);
    const ended = await waitForSession(running.id, 'ended');
    expect(ended.endReason).toBe('ended');
    const deadline = Date.now() + 10_000;
    while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(`/tmp/.X11-unix/X${display}`)).toBe(false);
    await player().evaluate(() => (window as unknown as CloudPlayerWindow).leave(), undefined);
  });

  it('plays the Debian game (xjump): its picture appears and space starts the game', async () => {
    const created = await api<StreamSession>('POST', '/apps/xjump/sessions', {}, playerToken);
    const running = await waitForSession(created.body.id, 'running');
    const pids = fleet.host.sessions.get(running.id)!.pids;
    const joined = await player().evaluate(([url, token]) => (window as unknown as CloudPlayerWindow).join(url!, token!), [running.whepUrl, playerToken]);
    expect(joined.framesDecoded).toBeGreaterThan(0);
    // The title screen (mostly black, with the high-score table), then the tower of blue bricks once the game starts.
    await new Promise((r) => setTimeout(r, 1000));
    const before = await player().evaluate(() => (window as unknown as CloudPlayerWindow).signature(), undefined);
    await player().evaluate((code) => (window as unknown as CloudPlayerWindow).key(code), 'Space');
    const deadline = Date.now() + 5000;
    let changed = false;
    while (!changed && Date.now() < deadline) {
      const now = await player().evaluate(() => (window as unknown as CloudPlayerWindow).signature(), undefined);
      changed = now.some((v, i) => Math.abs(v - before[i]!) > 30);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(changed).toBe(true);
    expect((await api('DELETE', `/sessions/${running.id}`, undefined, playerToken)).status).toBe(204);
    await waitForSession(running.id, 'ended');
    const goneBy = Date.now() + 10_000;
    while (pids.some(isRunning) && Date.now() < goneBy) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(isRunning)).toEqual([]);
    await player().evaluate(() => (window as unknown as CloudPlayerWindow).leave(), undefined);
  });
});

