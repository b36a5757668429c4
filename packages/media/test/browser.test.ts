import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRelay } from '../src/index.js';
import { LOOPBACK_ICE, TestPublisher } from './support/test-publisher.js';
import { WHEP_VIEWER_PAGE } from './support/whep-viewer-page.js';
import { WhepTestServer } from './support/whep-test-server.js';


interface JoinTiming {
  answeredMs: number;
  connectedMs: number | null;
  decodedMs: number;
  presentedMs: number | null;
}
interface PlayerStats {
  framesDecoded: number;
  videoWidth: number;
  videoHeight: number;
  connectionState: string;
  srtpCipher: string | null;
  senderReports: number;
}
interface WhepPage {
  whepJoin(url: string): Promise<JoinTiming>;
  whepStats(): Promise<PlayerStats[]>;
  whepLeave(): Promise<void>;
}

function describeTiming(timing: JoinTiming): string {
  const ms = (value: number | null) => (value === null ? '?' : value.toFixed(0));
  return `answer ${ms(timing.answeredMs)}, connected ${ms(timing.connectedMs)}, first frame decoded ${ms(timing.decodedMs)}, presented ${ms(timing.presentedMs)}`;
}

function join(page: Page): Promise<JoinTiming> {
  return page.evaluate((url) => (window as unknown as WhepPage).whepJoin(url), '/whep');
}

function playerStats(page: Page): Promise<PlayerStats[]> {
  return page.evaluate(() => (window as unknown as WhepPage).whepStats());
}

async function waitForFrames(page: Page, minimum: number, timeoutMs = 20_000): Promise<PlayerStats[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await playerStats(page);
    if (stats.every((player) => player.framesDecoded > minimum)) return stats;
    if (Date.now() > deadline) throw new Error(`players stuck: ${JSON.stringify(stats)}`);
    await sleep(200);
  }
}

describe('WHEP viewers in headless Chromium', () => {
  let relay: LiveRelay;
  let server: WhepTestServer;
  let baseUrl: string;
  let publisher: TestPublisher | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    relay = new LiveRelay({ id: 'cam-browser', ice: LOOPBACK_ICE });
    server = new WhepTestServer(relay, WHEP_VIEWER_PAGE);
    baseUrl = await server.listen();
    // The publisher comes in over WHIP through the same server, as an edge will.
    publisher = await TestPublisher.start(async (offer) => {
      const response = await fetch(`${baseUrl}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toMatch(/^\/sessions\//);
      return response.text();
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => console.error('[page]', error));
    await page.goto(baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await publisher?.stop();
    await server?.close();
    await relay?.close();
  });

  it('plays the camera in a <video> and decodes frames', async () => {
    // Join a camera that is already live, the usual case (and the one the 1 s join target is about).
    while (relay.stats().packetsIn < 45) await sleep(50);
    const timing = await join(page);
    console.log(`WHEP join, one viewer, ms after the POST: ${describeTiming(timing)}`);
    const [player] = await waitForFrames(page, 30);
    expect(player?.videoWidth).toBe(640);
    expect(player?.videoHeight).toBe(360);
    expect(relay.viewerCount).toBe(1);
    expect(timing.decodedMs).toBeLessThan(5000);
  });

  it("decodes through the relay's fast forwarding path and receives its sender reports", async () => {
    expect(relay.stats().viewersOnFastPath).toBe(1);
    const [before] = await playerStats(page);
    await sleep(2500); // sender reports go out once a second
    const [after] = await playerStats(page);
    console.log(`Chromium on the fast path: SRTP ${after?.srtpCipher}, ${after?.senderReports} sender reports, frames decoded ${before?.framesDecoded} → ${after?.framesDecoded}`);
    expect(after!.framesDecoded).toBeGreaterThan(before!.framesDecoded + 30);
    expect(after!.senderReports).toBeGreaterThan(0);
  });

  it('serves ten more viewers at once from the one publisher', async () => {
    const timings = await Promise.all(Array.from({ length: 10 }, () => join(page)));
    const decoded = timings.map((t) => t.decodedMs).sort((a, b) => a - b);
    console.log(
      `WHEP join, 10 simultaneous viewers: first frame decoded after ${decoded.map((ms) => ms.toFixed(0)).join(', ')} ms; slowest: ${describeTiming(timings.reduce((a, b) => (a.decodedMs > b.decodedMs ? a : b)))}`,
    );
    expect(relay.viewerCount).toBe(11);
    expect(relay.stats().viewersOnFastPath).toBe(11);
    const before = await playerStats(page);
    const after = await waitForFrames(page, 30);
    // Every one of them keeps decoding.
    await sleep(1000);
    const later = await playerStats(page);
    for (let i = 0; i < later.length; i++) {
      expect(later[i]!.framesDecoded).toBeGreaterThan(before[i]!.framesDecoded);
      expect(later[i]!.videoWidth).toBe(640);
      expect(after[i]!.connectionState).toBe('connected');
    }
    // One upstream: the relay received each packet once, however many viewers it forwards to.
    const stats = relay.stats();
    const sent = publisher!.packetsSent;
    expect(relay.hasPublisher).toBe(true);
    expect(stats.packetsIn).toBeLessThanOrEqual(sent);
    expect(sent - stats.packetsIn).toBeLessThan(20); // packets still in flight
    expect(stats.packetsForwarded).toBeGreaterThan(stats.packetsIn);
    console.log('relay stats with 11 viewers:', JSON.stringify(stats), 'publisher sent', sent);
  });

  it('ends the sessions when the viewers DELETE them', async () => {
    expect(server.sessions.size).toBe(12); // 11 viewers and the publisher
    await page.evaluate(() => (window as unknown as WhepPage).whepLeave());
    expect(relay.viewerCount).toBe(0);
    expect(server.sessions.size).toBe(1);
  });
});
