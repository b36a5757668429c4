import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@sightline/hub';
import { SightlineClient } from '@sightline/sdk';
import type { SightlineEvent } from '@sightline/protocol';
import { launchChromium } from '../../media/test/support/chromium.js';
import { waitFor } from '../../cli/test/support/fleet-processes.js';
import { TestDevice } from '../../hub/test/support/device-client.js';
import { TINY_JPEG, batchOf, snapshotOf, zoneEnter } from '../../hub/test/support/events.js';
import { catalogModels } from '../../vision/src/models/catalog.js';
import { EVENTS_CSV_HEADER } from '../src/events/events-csv.js';
import { ensureConsoleBuilt } from './support/console-dist.js';

const ADMIN = { username: 'admin', password: 'a11y test password' };
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-results', 'screenshots');

/** Test artifacts to look at (not used by the docs: the data here is made up). */
async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `a11y-${name}.png`), fullPage: true });
}
const MIN = 60_000;
/** Roles a person operates; each needs an accessible name. */
const CONTROL_ROLES = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'slider', 'spinbutton', 'switch', 'tab', 'menuitem', 'application']);
const PAGES = ['/', '/fleet', '/events', '/analytics', '/analytics?view=occupancy', '/analytics?view=heatmap', '/models', '/settings', '/cameras/gate'];

interface AxNode {
  ignored: boolean;
  role?: { value?: string };
  name?: { value?: string };
  backendDOMNodeId?: number;
}

/** Controls without an accessible name, as Chromium itself computes names (its accessibility tree, over CDP). */
async function unnamedControls(context: BrowserContext, page: Page): Promise<string[]> {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('Accessibility.enable');
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    const bad: string[] = [];
    for (const node of nodes) {
      const role = node.role?.value ?? '';
      if (node.ignored || !CONTROL_ROLES.has(role) || (node.name?.value ?? '').trim() !== '') continue;
      let what = `a ${role}`;
      if (node.backendDOMNodeId !== undefined) {
        const { node: dom } = (await cdp.send('DOM.describeNode', { backendNodeId: node.backendDOMNodeId })) as { node: { localName: string; attributes?: string[] } };
        what += ` <${dom.localName} ${(dom.attributes ?? []).join(' ')}>`;
      }
      bad.push(what);
    }
    return bad;
  } finally {
    await cdp.detach();
  }
}

/** Whether the page is wider than the window (something would scroll sideways). */
const horizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Waits until nothing on the page is loading (the console's spinners are gone). */
const loaded = (page: Page) => page.waitForFunction(() => !document.querySelector('.state .spinner'), undefined, { timeout: 15_000 });

const activeInOpenDialog = (page: Page) => page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')));

/**
 * The console's accessibility and tablet checks against a real hub (SQLite) and a simulated edge device that sends
 * real event batches over MQTT: every control on every page has an accessible name, keyboard navigation through the
 * menu and a dialog (focus stays inside, and comes back), live updates are announced, a zone is drawn and saved with
 * the keyboard alone, the analytics views and the events CSV show what the hub stored, settings are read-only for
 * viewers and saved by admins, and at a tablet's size (820×1180, touch) no page scrolls sideways and the menu works.
 */
describe('console accessibility, keyboard drawing and tablet layout', () => {
  let dir: string;
  let hub: Hub;
  let device: TestDevice;
  let admin: SightlineClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const events: SightlineEvent[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sightline-console-a11y-'));
    hub = await startHub({ dataDir: join(dir, 'hub'), port: 0, mqttPort: 0, mqttWsPort: null, logLevel: 'silent', ice: { loopbackOnly: true }, modelCatalogue: catalogModels() });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await device?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('works with the keyboard and a screen reader, and on a tablet', async () => {
    // A new hub: the first page is the administrator's setup, without asking.
    await page.goto(hub.url);
    await page.getByRole('heading', { name: 'Create the administrator' }).waitFor();
    expect(await page.getByRole('button', { name: /First run/ }).count()).toBe(0);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    // A device (simulated over MQTT, with real batches) and its camera; people inside a zone over the last hour.
    admin = new SightlineClient({ baseUrl: hub.url });
    admin.setApiKey((await admin.auth.login(ADMIN)).token);
    const created = await admin.devices.create({ id: 'edge-1', name: 'Gate edge' });
    const credentials = await admin.devices.enroll({ token: created.enrollment.token });
    device = await TestDevice.connect(hub.mqttUrl, { id: 'edge-1', credentials });
    await device.subscribeOwn();
    await device.announceOnline();
    await admin.cameras.create({ deviceId: 'edge-1', id: 'gate', name: 'Gate', source: 'lavfi:testsrc', model: 'yolox-nano' });
    const start = Math.floor(Date.now() / MIN) * MIN - 40 * MIN;
    for (let i = 0; i < 6; i++) {
      const enter = zoneEnter('gate', { wallTime: start + i * 5 * MIN, trackId: i + 1, bbox: [0.2, 0.5, 0.3, 0.8] });
      const exit: SightlineEvent = { ...zoneEnter('gate', { wallTime: start + i * 5 * MIN + 3 * MIN, trackId: i + 1, bbox: [0.6, 0.4, 0.7, 0.9] }), type: 'zone.exit', dwell: 180 };
      events.push(enter, exit);
    }
    await device.sendBatch(batchOf('edge-1', events, [snapshotOf(events[events.length - 1]!, 'frame', TINY_JPEG)]));

    // Every control on every page has a name; so do the dialogs and the zone editor.
    for (const path of PAGES) {
      await page.goto(`${hub.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await loaded(page);
      expect(await unnamedControls(context, page), `controls without a name on ${path}`).toEqual([]);
    }
    await page.getByRole('button', { name: 'Edit zones and lines' }).click();
    await page.getByTestId('scene-canvas').waitFor();
    expect(await unnamedControls(context, page), 'controls without a name in the zone editor').toEqual([]);
    await page.goto(`${hub.url}/fleet`);
    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.getByRole('dialog', { name: 'Add a camera' }).waitFor();
    expect(await unnamedControls(context, page), 'controls without a name in the camera dialog').toEqual([]);
    await page.keyboard.press('Escape');

    // Keyboard: the skip link comes first, then the menu; Enter follows a link.
    await page.goto(`${hub.url}/`);
    await page.locator('main h1').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links.slice(0, 4)).toEqual(['Cameras', 'Fleet', 'Events', 'Analytics']);
    expect(links).toEqual(expect.arrayContaining(['Models', 'Settings']));
    const menu: string[] = [];
    for (let i = 0; i <= links.length; i++) {
      await page.keyboard.press('Tab');
      menu.push(await page.evaluate(() => (document.activeElement?.closest('nav') ? (document.activeElement.textContent ?? '') : '')));
    }
    // Every menu entry in order, then out of the menu.
    expect(menu).toEqual([...links, '']);
    // Back to "Models" and open it.
    for (let i = 0; i < links.length - links.indexOf('Models'); i++) await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Models');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/models');
    // The models page lists the catalogue and who uses which model.
    const yolox = page.locator('[data-model="yolox-nano"]');
    await yolox.getByRole('link', { name: 'Gate' }).waitFor();
    expect(await yolox.textContent()).toContain('on edge-1 · detection');
    expect(await page.getByTestId('model').count()).toBe(catalogModels().length);

    // A dialog keeps the focus inside while open, and gives it back when closed.
    await page.goto(`${hub.url}/fleet`);
    const enrollButton = page.getByRole('button', { name: 'Enroll device' });
    await enrollButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Enroll a device' }).waitFor();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
      expect(await activeInOpenDialog(page), `focus inside the dialog after ${i + 1} presses`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await waitFor('focus back on the button', () => enrollButton.evaluate((b) => b === document.activeElement), 5000);

    // Live updates are announced to screen readers.
    await page.goto(`${hub.url}/events`);
    await page.getByTestId('event').first().waitFor();
    const fresh = zoneEnter('gate', { trackId: 99 });
    await device.sendBatch(batchOf('edge-1', [fresh]));
    await waitFor('the new event announced', async () => /1 new event, the latest: person #99 entered door on gate/.test((await page.getByTestId('event-announcer').textContent()) ?? ''), 15_000);
    events.push(fresh);

    // The events CSV has every event of the current filter.
    await page.goto(`${hub.url}/events?type=zone.exit`);
    await page.getByTestId('event').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const rows = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe(EVENTS_CSV_HEADER.join(','));
    const exits = events.filter((e) => e.type === 'zone.exit');
    expect(rows.slice(1).map((r) => r.split(',')[0]).sort()).toEqual(exits.map((e) => e.id).sort());
    expect(rows.slice(1).every((r) => r.split(',')[4] === 'zone.exit')).toBe(true);
    await waitFor('the export status', async () => /Exported 6 events/.test((await page.getByTestId('events-export-status').textContent()) ?? ''), 5000);

    // Occupancy: one person at a time, three minutes in every five; the numbers match the hub's.
    await page.goto(`${hub.url}/analytics?view=occupancy`);
    const panel = page.getByTestId('occupancy-panel');
    await panel.locator('.recharts-line').first().waitFor();
    await panel.getByText('Show the numbers').click();
    const cells = (await panel.locator('tbody td').allTextContents()).map(Number);
    expect(cells).toHaveLength(60);
    expect(Math.max(...cells)).toBe(1);
    // Six visits of three whole minutes, and the person who just came in (this minute, maybe the last one too).
    expect(cells.filter((c) => c === 1).length).toBeGreaterThanOrEqual(19);
    expect(cells.filter((c) => c === 1).length).toBeLessThanOrEqual(20);
    await screenshot(page, 'occupancy');
    // A shorter period, chosen the way the e2e chooses it: a minute per row still, fifteen rows.
    await page.getByLabel('Period', { exact: true }).selectOption('15m');
    await waitFor('fifteen minutes of occupancy', async () => (await panel.locator('tbody tr').count()) === 15, 10_000);
    expect(new URL(page.url()).searchParams.get('range')).toBe('15m');
    // Back to the default hour, then at once another tab: both changes must stick (the heatmap below counts the hour).
    await page.getByLabel('Period', { exact: true }).selectOption('1h');
    // The tabs move with the arrow keys.
    await page.getByRole('tab', { name: 'Occupancy' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('heatmap-panel').waitFor();
    expect(await page.getByRole('tab', { name: 'Heatmap' }).getAttribute('aria-selected')).toBe('true');
    expect(new URL(page.url()).searchParams.get('view')).toBe('heatmap');

    // Heatmap over the latest snapshot.
    const canvas = page.getByTestId('heatmap-canvas');
    await canvas.waitFor();
    // The panel may first draw what it had for the period chosen before (15 minutes), then the hour's answer.
    await waitFor('the hour of events in the heatmap', async () => Number(await canvas.getAttribute('data-total')) === events.length, 10_000);
    // Six entries at (0.25, 0.8), six exits at (0.65, 0.9), the newest entry at (0.2, 0.6).
    expect(await canvas.getAttribute('aria-label')).toBe('13 events of Gate. Busiest: bottom left (6), bottom centre (6), middle left (1).');
    await waitFor('the snapshot behind the heatmap', () => page.locator('.heatmap-stage img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 8), 5000);
    await screenshot(page, 'heatmap');

    // Draw a zone with the keyboard alone, then save it.
    await page.goto(`${hub.url}/cameras/gate`);
    const edit = page.getByRole('button', { name: 'Edit zones and lines' });
    await edit.focus();
    await page.keyboard.press('Enter');
    const drawZone = page.getByRole('button', { name: 'Draw zone' });
    await drawZone.focus();
    await page.keyboard.press('Enter');
    // The picture takes the focus; a cursor shows where the next corner goes.
    await waitFor('the picture focused', () => page.getByTestId('scene-canvas').evaluate((svg) => svg === document.activeElement), 5000);
    await page.getByTestId('drawing-cursor').waitFor();
    const keys = ['Shift+ArrowLeft', 'Shift+ArrowLeft', 'Shift+ArrowLeft', 'Shift+ArrowLeft', 'Enter', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Enter', 'Shift+ArrowDown', 'Shift+ArrowDown', 'Shift+ArrowDown', 'Shift+ArrowDown', 'Enter', 'f'];
    for (const key of keys) await page.keyboard.press(key);
    expect(await page.getByTestId('editor-status').textContent()).toBe('Zone finished with 3 corners');
    // Select it and nudge its first corner one step up.
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    expect(await page.getByTestId('editor-status').textContent()).toBe('zone zone-1 selected, corner 1 of 3 at 30 %, 50 %');
    await page.keyboard.press('ArrowUp');
    await screenshot(page, 'zone-editor-keyboard');
    const save = page.getByRole('button', { name: 'Save', exact: true });
    await save.focus();
    await page.keyboard.press('Enter');
    const saved = await waitFor('the zone saved', async () => (await admin.cameras.get('gate')).config.analytics.zones[0], 10_000);
    expect(saved).toMatchObject({ id: 'zone-1', polygon: [[0.3, 0.49], [0.6, 0.5], [0.6, 0.7]] });

    // Settings: admins change retention and ICE servers (a bad URL is explained under its field first).
    await page.goto(`${hub.url}/settings`);
    const retention = page.getByLabel('Keep events and snapshots (days)');
    await retention.fill('14');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await waitFor('retention saved', async () => (await admin.settings.get()).eventRetentionDays === 14, 5000);
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByLabel('URLs').fill('http://stun.example.org');
    await page.getByRole('button', { name: 'Save ICE servers' }).click();
    await page.getByText('a stun:, stuns:, turn: or turns: URL').first().waitFor();
    expect(await page.getByLabel('URLs').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('URLs').fill('stun:stun.example.org:3478');
    await page.getByRole('button', { name: 'Save ICE servers' }).click();
    await waitFor('ICE servers saved', async () => (await admin.settings.get()).iceServers.length === 1, 5000);
    expect((await admin.settings.get()).iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    await screenshot(page, 'settings');

    // A viewer sees the settings but cannot change them, and sees no API keys.
    const viewerKey = await admin.apiKeys.create({ name: 'viewer', scope: 'read' });
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await viewer.addCookies([{ name: 'sightline_token', value: viewerKey.key, url: hub.url }]);
      const viewerPage = await viewer.newPage();
      await viewerPage.goto(`${hub.url}/settings`);
      await viewerPage.getByText('Events and their snapshots are kept').waitFor();
      expect(await viewerPage.getByTestId('retention-settings').textContent()).toContain('14 days');
      expect(await viewerPage.getByTestId('ice-settings').textContent()).toContain('stun:stun.example.org:3478');
      expect(await viewerPage.getByRole('button', { name: /Save/ }).count()).toBe(0);
      expect(await viewerPage.getByRole('heading', { name: 'API keys' }).count()).toBe(0);
    } finally {
      await viewer.close();
    }

    // A tablet, held upright: no page scrolls sideways, and the menu works by touch.
    const tablet = await browser.newContext({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    try {
      await tablet.addCookies([{ name: 'sightline_token', value: (await admin.auth.login(ADMIN)).token, url: hub.url }]);
      const tab = await tablet.newPage();
      for (const path of PAGES) {
        await tab.goto(`${hub.url}${path}`);
        await tab.locator('main h1').first().waitFor();
        await loaded(tab);
        expect(await horizontalOverflow(tab), `sideways overflow on ${path} at 820 px`).toBeLessThanOrEqual(0);
        if (path === '/fleet' || path === '/analytics?view=heatmap' || path === '/models') await screenshot(tab, `tablet-${path.replace(/\W+/g, '-').replace(/^-|-$/g, '')}`);
      }
      for (const [label, path, heading] of [
        ['Events', '/events', 'Events'],
        ['Analytics', '/analytics', 'Analytics'],
        ['Models', '/models', 'Models'],
        ['Settings', '/settings', 'Settings'],
        ['Fleet', '/fleet', 'Fleet'],
        ['Cameras', '/', 'Cameras'],
      ] as const) {
        await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).tap();
        await tab.getByRole('heading', { name: heading, level: 1 }).waitFor();
        expect(new URL(tab.url()).pathname).toBe(path);
      }
      // Touch targets in the menu are at least 40 px tall.
      const heights = await tab.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((links) => links.map((l) => l.getBoundingClientRect().height));
      expect(Math.min(...heights)).toBeGreaterThanOrEqual(40);
    } finally {
      await tablet.close();
    }
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
