import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveOverlayFrame } from '@sightline/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRelay } from '../../media/src/index.js';
import { launchChromium } from '../../media/test/support/chromium.js';
import { LOOPBACK_ICE, TestPublisher } from '../../media/test/support/test-publisher.js';
import type * as PlayerModule from '../src/index.js';
import { rtpAdd, rtpDiff } from '../src/rtp-time.js';
import { PLAYER_DIST_DIR, ensurePlayerBuilt } from './support/player-dist.js';
import { PLAYER_TEST_PAGE } from './support/player-test-page.js';
import { PlayerTestHub } from './support/player-test-hub.js';

const CAMERA_ID = 'cam-player';
/** A fixed playout delay for the first player (the last test lets the player choose it). */
const PLAYOUT_DELAY_MS = 150;
/** How much later than its picture's first packet an overlay is sent in 'late' mode (analysis slower than video). */
const LATE_OVERLAY_MS = 60;
/** Zones and lines as the hub serves them in the camera's config (see sceneCheck in the page). */
const CAMERA = {
  id: CAMERA_ID,
  config: {
    id: CAMERA_ID,
    analytics: {
      zones: [{ id: 'dock', name: 'Dock', polygon: [[0.05, 0.9], [0.3, 0.9], [0.3, 1], [0.05, 1]] }],
      lines: [{ id: 'door', name: 'Door', a: [0.05, 0.85], b: [0.95, 0.85] }],
    },
  },
};

interface Presented {
  rtpTimestamp: number | null;
  overlayRtpTimestamp: number | null;
  objects: number;
  box: number[] | null;
  trackId: number | null;
  edgeOk: boolean | null;
  edge: number[] | null;
  insideAlpha: number | null;
  canvasSize: [number, number];
  displayDelay: number | null;
}

/** Minimum, median and maximum of the pictures' display delays (ms after receipt), for the log. */
function displayDelays(frames: Presented[]): string {
  const delays = frames.map((f) => f.displayDelay).filter((d): d is number => d !== null).sort((a, b) => a - b);
  if (delays.length === 0) return 'unknown';
  return `${delays[0]!.toFixed(0)}/${delays[Math.floor(delays.length / 2)]!.toFixed(0)}/${delays.at(-1)!.toFixed(0)} ms (min/median/max)`;
}
interface StateRecord {
  state: string;
  code: string | null;
  status: number | null;
}
interface PlayerWindow {
  startPlayer(options?: Record<string, unknown>): boolean;
  playerStats(): Promise<Record<string, number | undefined> | null>;
  sceneCheck(): { zone: number[]; zoneColour: Rgb; line: number[]; lineColour: Rgb; outside: number[] };
  canvasIsEmpty(): boolean;
  canvasPlacement(): { canvas: number[]; video: number[]; backing: number[]; dpr: number };
  destroyPlayer(): Promise<{ canvases: number; srcObject: boolean }>;
  presented: Presented[];
  states: StateRecord[];
  sceneEvents: { zones: number; lines: number; error: string | null }[];
  player: {
    setLayers(layers: Record<string, boolean>): void;
    feed: { counters: { received: number; invalid: number; connects: number } };
    overlayTimeliness: { onTime: number; late: number; lastLateMs: number | undefined; maxLateMs: number };
  };
}
interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** What the "analysis" says about the frame with this timestamp: a box that moves and changes track every frame. */
function overlayFor(rtpTimestamp: number, index: number): LiveOverlayFrame {
  const x1 = 40 + ((index * 10) % 990);
  const y1 = 100 + (index % 10) * 20;
  return {
    cameraId: CAMERA_ID,
    rtpTimestamp,
    capturedAt: Date.now(),
    width: 1280,
    height: 720,
    objects: [
      { classId: 0, label: 'person', score: 0.87, box: [x1, y1, x1 + 200, y1 + 300], trackId: 1 + (index % 7) },
      { classId: 2, label: 'car', score: 0.5, box: [1100, 60, 1260, 160] },
    ],
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('the player in headless Chromium, against a relay and a hub-like server', () => {
  let relay: LiveRelay;
  let hub: PlayerTestHub;
  let baseUrl: string;
  let publisher: TestPublisher | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** How the fake analysis answers: each frame's own timestamp (a third skipped), nothing, or 2 s in the past. */
  let overlayMode: 'aligned' | 'late' | 'off' | 'old' = 'aligned';
  /** Overlay frames sent, by RTP timestamp. */
  const sent = new Map<number, LiveOverlayFrame>();
  /** Frames without an overlay, each with the timestamp of the frame before it. */
  const skipped = new Map<number, number>();
  /** For each overlay frame sent, the timestamp of the one sent before it. */
  const sentBefore = new Map<number, number>();

  /**
   * Overlays that come late (the 'late' mode, on a loaded machine) may miss their picture now and then; then the
   * picture must show the overlay sent just before, never an older one. Returns how many were exact.
   */
  function expectWithinOneAnalysedFrame(frames: Presented[]): number {
    let exact = 0;
    for (const frame of frames) {
      if (frame.overlayRtpTimestamp === frame.rtpTimestamp) exact++;
      else expect(frame.overlayRtpTimestamp, JSON.stringify(frame)).toBe(sentBefore.get(frame.rtpTimestamp!));
      expect(frame.edgeOk).toBe(true);
    }
    return exact;
  }

  const presented = () => page.evaluate(() => (window as unknown as PlayerWindow).presented.splice(0));

  beforeAll(async () => {
    ensurePlayerBuilt();
    relay = new LiveRelay({ id: CAMERA_ID, ice: LOOPBACK_ICE });
    hub = new PlayerTestHub(relay, { cameraId: CAMERA_ID, page: PLAYER_TEST_PAGE, distDir: PLAYER_DIST_DIR, camera: CAMERA });
    baseUrl = await hub.listen();
    publisher = await TestPublisher.start(async (offer) => {
      const response = await fetch(`${baseUrl}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
      expect(response.status).toBe(201);
      return response.text();
    });
    // The edge's part, played here: one overlay frame per video frame, keyed by the RTP timestamp the relay
    // forwards, sent as soon as the frame's first packet is seen.
    let last: number | undefined;
    let lastSent: number | undefined;
    let index = 0;
    relay.addTap((packet) => {
      if (last !== undefined && rtpDiff(packet.timestamp, last) <= 0) return;
      const previous = last;
      last = packet.timestamp;
      index++;
      if (overlayMode === 'off') return;
      if (overlayMode === 'old') {
        hub.sendOverlay(overlayFor(rtpAdd(packet.timestamp, -180_000), index));
        return;
      }
      if (index % 3 === 2 && previous !== undefined) {
        skipped.set(packet.timestamp, previous);
        return;
      }
      const frame = overlayFor(packet.timestamp, index);
      sent.set(packet.timestamp, frame);
      if (lastSent !== undefined) sentBefore.set(packet.timestamp, lastSent);
      lastSent = packet.timestamp;
      if (overlayMode === 'late') setTimeout(() => hub.sendOverlay(frame), LATE_OVERLAY_MS);
      else hub.sendOverlay(frame);
    });
    browser = await launchChromium();
    // devicePixelRatio 2, as on most laptops: the canvas must have twice the backing pixels and stay aligned.
    page = await browser.newPage({ deviceScaleFactor: 2, viewport: { width: 800, height: 600 } });
    page.on('pageerror', (error) => console.error('[page]', error));
    await page.goto(baseUrl);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  });

  afterAll(async () => {
    await browser?.close();
    await publisher?.stop();
    await hub?.close();
    await relay?.close();
  });

  it('plays the camera over WHEP with a token, and reports playback stats', async () => {
    while (relay.stats().packetsIn < 45) await sleep(50);
    const startedAt = Date.now();
    // 150 ms of extra playout delay: the room an overlay computed at the edge has to arrive before its picture.
    await page.evaluate((delay) => (window as unknown as PlayerWindow).startPlayer({ playoutDelayMs: delay }), PLAYOUT_DELAY_MS);
    await waitFor('connected', () => page.evaluate(() => (window as unknown as PlayerWindow).states.some((s) => s.state === 'connected')));
    const first = await waitFor('30 frames decoded', async () => {
      const stats = await page.evaluate(() => (window as unknown as PlayerWindow).playerStats());
      return stats && (stats.framesDecoded ?? 0) > 30 ? stats : undefined;
    });
    console.log(`player: start to 30 frames decoded ${Date.now() - startedAt} ms`);
    await sleep(1000);
    const second = (await page.evaluate(() => (window as unknown as PlayerWindow).playerStats()))!;
    console.log('player stats:', JSON.stringify(second));
    expect(second.framesDecoded).toBeGreaterThan(first.framesDecoded! + 15);
    expect(second.fps).toBeGreaterThan(15);
    expect(second.bitrate).toBeGreaterThan(10_000);
    expect(second.width).toBe(640);
    expect(second.height).toBe(360);
    expect(second.packetsLost).toBeGreaterThanOrEqual(0);
    expect(relay.viewerCount).toBe(1);

    const whep = hub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/whep'));
    expect(whep).toHaveLength(1);
    expect(whep[0]).toMatchObject({ status: 201, token: expect.stringMatching(/^token-\d+$/) });
    expect(hub.requests.some((r) => r.path.endsWith('/live/overlay') && r.token?.startsWith('token-'))).toBe(true);
    expect(hub.overlayClientCount).toBe(1);
    // Zones and lines came from the camera's config.
    expect(await page.evaluate(() => (window as unknown as PlayerWindow).sceneEvents)).toEqual([{ zones: 1, lines: 1, error: null }]);
    // The canvas lies exactly over the video, with devicePixelRatio times the pixels.
    const placement = await page.evaluate(() => (window as unknown as PlayerWindow).canvasPlacement());
    expect(placement.canvas).toEqual(placement.video);
    expect(placement.backing).toEqual([1280, 960]);
  });

  it("draws over each presented picture the overlay of that very picture, or of the one before when it had none", async () => {
    await presented();
    await sleep(3000);
    const frames = (await presented()).filter((f) => f.rtpTimestamp !== null);
    const withOwn = frames.filter((f) => sent.has(f.rtpTimestamp!));
    const withoutOwn = frames.filter((f) => skipped.has(f.rtpTimestamp!));
    const aligned = withOwn.filter((f) => f.overlayRtpTimestamp === f.rtpTimestamp).length;
    console.log(
      `alignment: ${frames.length} pictures presented in 3 s, ${withOwn.length} with their own overlay (${aligned} drawn with it), ` +
        `${withoutOwn.length} without; timestamps ${frames[0]?.rtpTimestamp}..${frames.at(-1)?.rtpTimestamp}`,
    );
    expect(withOwn.length).toBeGreaterThan(30);
    expect(withoutOwn.length).toBeGreaterThan(10);
    for (const frame of withOwn) {
      // Exactly the overlay computed for this picture: the same timestamp and the same objects.
      expect(frame.overlayRtpTimestamp).toBe(frame.rtpTimestamp);
      expect(frame.objects).toBe(2);
      expect(frame.box).toEqual(sent.get(frame.rtpTimestamp!)!.objects[0]!.box);
      // Drawn where the box is, in the track's colour, as an outline.
      expect(frame.edgeOk, `edge pixel ${JSON.stringify(frame.edge)} of ${JSON.stringify(frame)}`).toBe(true);
      expect(frame.insideAlpha).toBe(0);
    }
    for (const frame of withoutOwn) {
      // Never drifting: one frame behind at most, the one before it.
      expect(frame.overlayRtpTimestamp).toBe(skipped.get(frame.rtpTimestamp!));
      expect(frame.edgeOk).toBe(true);
    }
    const scene = await page.evaluate(() => (window as unknown as PlayerWindow).sceneCheck());
    // The zone is translucent, in its colour; the line opaque.
    expect(scene.zone[3]).toBeGreaterThan(20);
    expect(scene.zone[3]).toBeLessThan(80);
    expect(scene.line).toEqual([scene.lineColour.r, scene.lineColour.g, scene.lineColour.b, 255]);
    expect(scene.outside[3]).toBe(0);
  });

  it('still aligns overlays that arrive after their picture reached the relay, given the playout delay', async () => {
    const timeliness = () => page.evaluate(() => (window as unknown as PlayerWindow).player.overlayTimeliness);
    overlayMode = 'late';
    await sleep(300);
    const before = await timeliness();
    await presented();
    await sleep(2000);
    const frames = (await presented()).filter((f) => f.rtpTimestamp !== null && sent.has(f.rtpTimestamp));
    const after = await timeliness();
    overlayMode = 'aligned';
    const aligned = expectWithinOneAnalysedFrame(frames);
    console.log(
      `overlays sent ${LATE_OVERLAY_MS} ms late, playout delay ${PLAYOUT_DELAY_MS} ms: ${aligned} of ${frames.length} pictures drawn with their own overlay; ` +
        `timeliness ${JSON.stringify(after)} (late before: ${before.late}); pictures shown ${displayDelays(frames)} after receipt`,
    );
    const target = await page.evaluate(() => (window as unknown as { player: { connection: { receiver?: { jitterBufferTarget?: number | null } } } }).player.connection.receiver?.jitterBufferTarget);
    expect(target).toBe(PLAYOUT_DELAY_MS);
    expect(frames.length).toBeGreaterThan(20);
    // Chrome holds most pictures about that long after receipt, but not all (a picture that arrives later than its
    // timestamp predicts, such as a big keyframe on a busy machine, is shown sooner): a few may miss.
    expect(aligned).toBeGreaterThanOrEqual(Math.ceil(frames.length * 0.8));
    // The timeliness counter agrees.
    expect(after.late - before.late).toBeLessThanOrEqual(Math.ceil(frames.length * 0.2) + 2);
    expect(after.onTime - before.onTime).toBeGreaterThan(20);
  });

  it('ignores malformed overlay events and reconnects the overlay stream with a fresh token', async () => {
    const counters = () => page.evaluate(() => ({ ...(window as unknown as PlayerWindow).player.feed.counters }));
    const before = await counters();
    hub.sendOverlay('{"cameraId":');
    hub.sendOverlay({ ...overlayFor(1, 1), cameraId: 'another-camera' });
    hub.sendOverlay({ ...overlayFor(1, 1), objects: [{ classId: 0, label: 'x', score: 3, box: [0, 0, 1, 1] }] });
    await waitFor('3 invalid events', async () => (await counters()).invalid - before.invalid === 3);

    const streams = () => hub.requests.filter((r) => r.path.endsWith('/live/overlay'));
    const tokenBefore = streams().at(-1)!.token;
    hub.dropOverlayClients();
    await waitFor('the overlay stream reopened', async () => hub.overlayClientCount === 1 && streams().length === 2);
    expect(streams()[1]!.token).not.toBe(tokenBefore);
    expect(streams()[1]!.token).toMatch(/^token-\d+$/);
    await waitFor('frames flowing again', async () => (await counters()).received > before.received + 30);
  });

  it('stops drawing boxes once the overlay frames are older than the stale limit (1 s)', async () => {
    await page.evaluate(() => (window as unknown as PlayerWindow).player.setLayers({ zones: false, lines: false }));
    overlayMode = 'off';
    await sleep(700);
    // Within the limit the last overlay still shows...
    const recent = (await presented()).filter((f) => f.rtpTimestamp !== null);
    expect(recent.some((f) => f.overlayRtpTimestamp !== null)).toBe(true);
    await sleep(1000);
    // ...then, 1 s of video after the last overlay frame, nothing does.
    const later = (await presented()).filter((f) => f.rtpTimestamp !== null).slice(-10);
    expect(later.length).toBeGreaterThan(5);
    for (const frame of later) expect(frame).toMatchObject({ overlayRtpTimestamp: null, objects: 0 });
    expect(await page.evaluate(() => (window as unknown as PlayerWindow).canvasIsEmpty())).toBe(true);

    // Frames that arrive already older than the limit are never drawn.
    overlayMode = 'old';
    await presented();
    await sleep(1500);
    const old = (await presented()).filter((f) => f.rtpTimestamp !== null);
    expect(old.length).toBeGreaterThan(20);
    expect(old.every((f) => f.overlayRtpTimestamp === null && f.objects === 0)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as PlayerWindow).canvasIsEmpty())).toBe(true);
    overlayMode = 'aligned';
  });

  it('gives up at once on 401, 403 and 404 with a typed error', async () => {
    const posts = () => hub.requests.filter((r) => r.method === 'POST').length;
    const before = posts();
    const outcomes = await page.evaluate(async () => {
      const { WhepConnection } = (window as unknown as { sightline: typeof PlayerModule }).sightline;
      const attempt = async (camera: string, token: string) => {
        const video = document.createElement('video');
        const connection = new WhepConnection({ url: `${location.origin}/api/v1/cameras/${camera}/whep`, video, token: () => token, reconnect: { initialDelayMs: 50 } });
        const states: string[] = [];
        let error: { code: string; status: number | undefined; retryable: boolean } | undefined;
        connection.on('state', (change) => {
          states.push(change.state);
          if (change.error) error = { code: change.error.code, status: change.error.status, retryable: change.error.retryable };
        });
        connection.start();
        await connection.whenConnected(5000).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await connection.close();
        return { states, error };
      };
      return [await attempt('cam-player', ''), await attempt('cam-player', 'forged'), await attempt('no-such-camera', 'token-x')];
    });
    expect(outcomes).toEqual([
      { states: ['connecting', 'failed', 'closed'], error: { code: 'unauthorized', status: 401, retryable: false } },
      { states: ['connecting', 'failed', 'closed'], error: { code: 'forbidden', status: 403, retryable: false } },
      { states: ['connecting', 'failed', 'closed'], error: { code: 'not-found', status: 404, retryable: false } },
    ]);
    // One POST each: no retry.
    expect(posts() - before).toBe(3);
  });

  it('retries 5xx with backoff and a fresh token, then DELETEs its session on close', async () => {
    hub.failNextWhep.push(503, 502);
    const before = hub.requests.length;
    const result = await page.evaluate(async () => {
      const { WhepConnection } = (window as unknown as { sightline: typeof PlayerModule }).sightline;
      const video = document.createElement('video');
      document.body.appendChild(video);
      let tokens = 0;
      const connection = new WhepConnection({
        url: `${location.origin}/api/v1/cameras/cam-player/whep`,
        video,
        token: async () => `token-retry-${++tokens}`,
        reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
      });
      const states: { state: string; code?: string; retryInMs?: number }[] = [];
      connection.on('state', (change) => states.push({ state: change.state, code: change.error?.code, retryInMs: change.retryInMs }));
      connection.start();
      await connection.whenConnected(15_000);
      const deadline = performance.now() + 10_000;
      while (((await connection.getStats())?.framesDecoded ?? 0) < 5 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const decoded = (await connection.getStats())?.framesDecoded ?? 0;
      await connection.close();
      video.remove();
      return { states, tokens, decoded };
    });
    expect(result.states.map((s) => `${s.state}${s.code ? `:${s.code}` : ''}`)).toEqual([
      'connecting',
      'reconnecting:http-error',
      'connecting',
      'reconnecting:http-error',
      'connecting',
      'connected',
      'closed',
    ]);
    // Backoff: about 100 then 200 ms (±20%).
    expect(result.states[1]!.retryInMs).toBeGreaterThanOrEqual(80);
    expect(result.states[3]!.retryInMs).toBeGreaterThanOrEqual(160);
    expect(result.decoded).toBeGreaterThanOrEqual(5);
    const mine = hub.requests.slice(before).filter((r) => r.token?.startsWith('token-retry-'));
    expect(mine.filter((r) => r.method === 'POST').map((r) => [r.status, r.token])).toEqual([
      [503, 'token-retry-1'],
      [502, 'token-retry-2'],
      [201, 'token-retry-3'],
    ]);
    // close() fetched a fresh token for the DELETE.
    expect(mine.filter((r) => r.method === 'DELETE').map((r) => [r.status, r.token])).toEqual([[200, 'token-retry-4']]);
    expect(relay.viewerCount).toBe(1);
  });

  it('reconnects with a fresh token when the hub drops the viewer', async () => {
    const live = hub.whepResources.filter((id) => hub.sessions.session(id) !== undefined);
    expect(live).toHaveLength(1);
    const statesBefore = await page.evaluate(() => (window as unknown as PlayerWindow).states.length);
    const postsBefore = hub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/whep')).length;
    const droppedAt = Date.now();
    await hub.sessions.remove(live[0]!);
    expect(relay.viewerCount).toBe(0);
    const states = await waitFor('reconnected', async () => {
      const all = await page.evaluate(() => (window as unknown as PlayerWindow).states);
      const since = all.slice(statesBefore);
      return since.some((s) => s.state === 'connected') ? since : undefined;
    });
    console.log(`viewer dropped by the hub: connected again after ${Date.now() - droppedAt} ms (${states.map((s) => s.state + (s.code ? `:${s.code}` : '')).join(' → ')})`);
    expect(states.map((s) => s.state)).toEqual(['reconnecting', 'connecting', 'connected']);
    expect(states[0]!.code).toBe('connection-failed');
    const posts = hub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/whep'));
    expect(posts.length).toBe(postsBefore + 1);
    expect(posts.at(-1)!.token).not.toBe(posts.at(-2)!.token);
    expect(relay.viewerCount).toBe(1);
    const decoded = async () => (await page.evaluate(() => (window as unknown as PlayerWindow).playerStats()))?.framesDecoded ?? 0;
    await waitFor('frames decoded again', async () => (await decoded()) > 15);
    // Overlays are drawn again on the new connection.
    await presented();
    await sleep(500);
    expect((await presented()).some((f) => f.overlayRtpTimestamp !== null && f.overlayRtpTimestamp === f.rtpTimestamp)).toBe(true);
  });

  it('destroy() ends the WHEP session and the overlay stream and removes the canvas', async () => {
    const deletesBefore = hub.requests.filter((r) => r.method === 'DELETE').length;
    const result = await page.evaluate(() => (window as unknown as PlayerWindow).destroyPlayer());
    expect(result).toEqual({ canvases: 0, srcObject: true });
    expect(hub.requests.filter((r) => r.method === 'DELETE').length).toBe(deletesBefore + 1);
    expect(relay.viewerCount).toBe(0);
    await waitFor('the overlay stream closed', async () => hub.overlayClientCount === 0, 5000);
    expect(await page.evaluate(() => (window as unknown as PlayerWindow).states.at(-1)?.state)).toBe('closed');
  });

  it('by default holds the video just long enough for overlays that come late', async () => {
    overlayMode = 'late';
    await page.evaluate(() => {
      (window as unknown as PlayerWindow).presented.splice(0);
      return (window as unknown as PlayerWindow).startPlayer();
    });
    await waitFor('connected again', () => page.evaluate(() => (window as unknown as PlayerWindow).states.at(-1)?.state === 'connected'));
    // Let it measure the slack and settle (Chrome moves its playout delay by about 100 ms a second).
    await sleep(5000);
    await presented();
    await sleep(2000);
    const frames = (await presented()).filter((f) => f.rtpTimestamp !== null && sent.has(f.rtpTimestamp));
    const aligned = expectWithinOneAnalysedFrame(frames);
    const delay = await page.evaluate(() => (window as unknown as { player: { connection: { playoutDelay?: number } } }).player.connection.playoutDelay);
    const slack = await page.evaluate(() => (window as unknown as { player: { autoPlayoutDelay: { worstSlackMs?: number } } }).player.autoPlayoutDelay.worstSlackMs);
    console.log(`automatic playout delay: ${delay} ms, smallest slack since it settled ${slack?.toFixed(1)} ms (overlays sent ${LATE_OVERLAY_MS} ms late); ${aligned} of ${frames.length} pictures drawn with their own overlay; pictures shown ${displayDelays(frames)} after receipt`);
    overlayMode = 'aligned';
    expect(delay).toBeGreaterThanOrEqual(LATE_OVERLAY_MS);
    expect(delay).toBeLessThanOrEqual(400);
    expect(frames.length).toBeGreaterThan(20);
    expect(aligned).toBeGreaterThanOrEqual(Math.ceil(frames.length * 0.9));
    await page.evaluate(() => (window as unknown as PlayerWindow).destroyPlayer());
  });
});
