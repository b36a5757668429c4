import { setTimeout as sleep } from 'node:timers/promises';
import { StreamInputSchema, type StreamSession } from '@sightline/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../media/test/support/chromium.js';
import { CloudTestHub, nodeNow, type WhepTestPeer } from './support/cloud-test-hub.js';
import { CLOUD_TEST_PAGE } from './support/cloud-test-page.js';
import { PLAYER_DIST_DIR, ensurePlayerBuilt } from './support/player-dist.js';

const SESSION_ID = '0190b2a4-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
/** Where the 640×360 picture lies on the page: the video is at (7, 13), 640×480, letterboxed (60 px bars). */
const PICTURE = { x: 7, y: 13 + 60, width: 640, height: 360 };

function session(state: StreamSession['state'], extra: Partial<StreamSession> = {}): StreamSession {
  return {
    id: SESSION_ID,
    appId: 'test-game',
    appName: 'Test game',
    state,
    queuePosition: null,
    hostId: state === 'queued' ? null : 'host-1',
    endReason: null,
    message: null,
    createdAt: 1_760_000_000_000,
    startedAt: state === 'running' ? 1_760_000_001_000 : null,
    endedAt: null,
    whepUrl: `/api/v1/sessions/${SESSION_ID}/whep`,
    width: 640,
    height: 360,
    fps: 30,
    inputProfile: 'keyboard-mouse',
    gamepadKeys: null,
    reconnectGraceMs: 30_000,
    spectators: 0,
    ...extra,
  };
}

interface Status {
  phase: string;
  queuePosition: number | null;
  endReason: string | null;
  error: string | null;
  spectator: boolean;
}
interface SentInput {
  type: string;
  sent: boolean;
  at: number;
  [key: string]: unknown;
}
interface CloudWindow {
  startCloud(options?: Record<string, unknown>): boolean;
  pingOffset(count: number): Promise<{ t0: number; t1: number; t2: number }[]>;
  sendSparse(channel: 'reliable' | 'pointer', count: number, minGap: number, maxGap: number): Promise<number[]>;
  pageNow(): number;
  statuses: Status[];
  inputs: SentInput[];
  stats: Record<string, number | string | undefined>[];
  gamepadEvents: { index: number; id: string; standard: boolean }[][];
  pointerLocks: boolean[];
  channelStates: string[];
  received: { channel: string; data: string; at: number }[];
  player: {
    destroy(): Promise<void>;
    focus(): void;
    togglePointerLock(): Promise<void>;
    pointerLocked: boolean;
    input?: { keysHeld: string[] };
    status: Status;
    connection?: { state: string };
  };
}
const win = (page: Page) => page.evaluate.bind(page);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
const summary = (values: number[]) =>
  `min ${Math.min(...values).toFixed(1)} / median ${percentile(values, 0.5).toFixed(1)} / p95 ${percentile(values, 0.95).toFixed(1)} / max ${Math.max(...values).toFixed(1)} ms`;

/** The latency bounds of the sparse-traffic test (see the comment there). */
function expectPromptDelivery(latencies: number[]): void {
  expect(latencies.every((ms) => ms > -5)).toBe(true);
  expect(percentile(latencies, 0.5)).toBeLessThan(10);
  expect(percentile(latencies, 0.9)).toBeLessThan(30);
  expect(Math.max(...latencies)).toBeLessThan(100);
}

/** Each message must be a valid StreamInput (what the host checks before anything reaches the display). */
function expectValidInputs(messages: Record<string, unknown>[]): void {
  for (const message of messages) {
    const parsed = StreamInputSchema.safeParse(message);
    expect(parsed.success, `${JSON.stringify(message)}: ${parsed.error?.message}`).toBe(true);
  }
}

describe('the cloud player in headless Chromium, against a werift WHEP peer', () => {
  let hub: CloudTestHub;
  let baseUrl: string;
  let browser: Browser | undefined;
  let page: Page;
  let evaluate: Page['evaluate'];

  /** What the werift peer received on a channel since `from` messages (StreamInputs only). */
  const receivedSince = (peer: WhepTestPeer, channel: string, from: number) => peer.parsed(channel).slice(from);
  const inputsSent = () => evaluate(() => (window as unknown as CloudWindow).inputs.splice(0));

  beforeAll(async () => {
    ensurePlayerBuilt();
    hub = new CloudTestHub(SESSION_ID, { page: CLOUD_TEST_PAGE, distDir: PLAYER_DIST_DIR });
    baseUrl = await hub.listen();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    evaluate = win(page);
    page.on('pageerror', (error) => console.error('[page]', error));
    await page.goto(`${baseUrl}/#${SESSION_ID}`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('follows the session: queued with its position, starting, then running with video and the two input channels', async () => {
    hub.push(session('queued', { queuePosition: 2 }));
    await evaluate(() => (window as unknown as CloudWindow).startCloud());
    await waitFor('the state stream', () => hub.stateClientCount === 1);
    await sleep(200);
    hub.push(session('queued', { queuePosition: 1 }));
    await sleep(200);
    hub.push(session('starting'));
    await sleep(200);
    // Nothing is connected before the session runs.
    expect(hub.peers).toHaveLength(0);
    hub.push(session('running'));
    const peer = await waitFor('the WHEP offer', () => hub.player);
    await waitFor('both channels open', async () => peer.channels.get('input')?.readyState === 'open' && peer.channels.get('pointer')?.readyState === 'open');
    await waitFor('playing', async () => (await evaluate(() => (window as unknown as CloudWindow).player.status.phase)) === 'playing');
    const statuses = await evaluate(() => (window as unknown as CloudWindow).statuses);
    expect(statuses.map((s) => s.phase + (s.queuePosition ? `:${s.queuePosition}` : ''))).toEqual(['queued:2', 'queued:1', 'starting', 'connecting', 'playing']);

    // The offer: a receive-only video and the data channels, which the browser created before it.
    expect(peer.offerSdp).toMatch(/m=video [\s\S]*a=recvonly/);
    expect(peer.offerSdp).toMatch(/m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/);
    // As negotiated (werift reads them from the DATA_CHANNEL_OPEN message): keys reliable and ordered, moves
    // unordered with a 100 ms lifetime.
    const input = peer.channels.get('input')!;
    const pointer = peer.channels.get('pointer')!;
    expect({ ordered: input.ordered, maxPacketLifeTime: input.maxPacketLifeTime, maxRetransmits: input.maxRetransmits }).toEqual({ ordered: true, maxPacketLifeTime: null, maxRetransmits: null });
    expect({ ordered: pointer.ordered, maxPacketLifeTime: pointer.maxPacketLifeTime, maxRetransmits: pointer.maxRetransmits }).toEqual({ ordered: false, maxPacketLifeTime: 100, maxRetransmits: null });
    expect([...peer.channels.keys()].sort()).toEqual(['input', 'pointer']);
    const whep = hub.requests.filter((r) => r.method === 'POST');
    expect(whep).toHaveLength(1);
    expect(whep[0]).toMatchObject({ path: `/api/v1/sessions/${SESSION_ID}/whep`, status: 201, token: expect.stringMatching(/^token-\d+$/) });
    expect(hub.requests.find((r) => r.path.endsWith('/state'))?.token).toMatch(/^token-\d+$/);
  });

  it('reports fps, bitrate, RTT and loss every interval (the HUD model)', async () => {
    const stats = await waitFor('two stats with rates', async () => {
      const all = await evaluate(() => (window as unknown as CloudWindow).stats);
      const withRates = all.filter((s) => typeof s.bitrateKbps === 'number' && (s.fps as number) > 0);
      return withRates.length >= 2 ? withRates.at(-1) : undefined;
    });
    console.log('cloud player stats:', JSON.stringify(stats));
    expect(stats.fps).toBeGreaterThan(5);
    expect(stats.bitrateKbps).toBeGreaterThan(10);
    expect(stats.lossPercent).toBeGreaterThanOrEqual(0);
    expect(stats.rttMs).toBeGreaterThanOrEqual(0);
    expect(stats.width).toBe(640);
    expect(stats.height).toBe(360);
    expect(stats.codec).toBe('H264');
    expect(typeof stats.framesDropped).toBe('number');
  });

  it('sends a key down once per press and its release, in order, preventing the page from scrolling', async () => {
    const peer = hub.player!;
    await evaluate(() => (window as unknown as CloudWindow).player.focus());
    await inputsSent();
    const from = peer.parsed('input').length;
    await page.keyboard.down('KeyA');
    // Auto-repeat (Playwright marks a second down of a held key as a repeat, as the browser would).
    await page.keyboard.down('KeyA');
    await page.keyboard.down('KeyA');
    await page.keyboard.down('ShiftLeft');
    await page.keyboard.up('KeyA');
    await page.keyboard.up('ShiftLeft');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('PageDown');
    // Reserved for the page (a HUD toggle): neither sent nor prevented.
    await page.keyboard.press('F2');
    const expected = [
      { type: 'key', code: 'KeyA', down: true },
      { type: 'key', code: 'ShiftLeft', down: true },
      { type: 'key', code: 'KeyA', down: false },
      { type: 'key', code: 'ShiftLeft', down: false },
      { type: 'key', code: 'Space', down: true },
      { type: 'key', code: 'Space', down: false },
      { type: 'key', code: 'ArrowDown', down: true },
      { type: 'key', code: 'ArrowDown', down: false },
      { type: 'key', code: 'PageDown', down: true },
      { type: 'key', code: 'PageDown', down: false },
    ];
    const got = await waitFor('10 key messages', () => {
      const messages = receivedSince(peer, 'input', from);
      return messages.length >= expected.length ? messages : undefined;
    });
    await sleep(200);
    expect(receivedSince(peer, 'input', from)).toEqual(expected);
    expectValidInputs(got);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    expect(peer.parsed('pointer').filter((m) => m.type === 'key')).toEqual([]);
  });

  it('sends mouse positions normalized to the letterboxed picture, at most one per frame', async () => {
    const peer = hub.player!;
    const from = peer.parsed('pointer').length;
    const points: [number, number, { x: number; y: number }][] = [
      [PICTURE.x + 320, PICTURE.y + 180, { x: 0.5, y: 0.5 }],
      [PICTURE.x, PICTURE.y, { x: 0, y: 0 }],
      [PICTURE.x + 160, PICTURE.y + 270, { x: 0.25, y: 0.75 }],
      // In the top letterbox bar: clamped to the picture's top edge.
      [PICTURE.x + 64, 13 + 20, { x: 0.1, y: 0 }],
      // In the bottom bar.
      [PICTURE.x + 576, 13 + 470, { x: 0.9, y: 1 }],
    ];
    for (const [x, y] of points) {
      await page.mouse.move(x, y);
      await sleep(60);
    }
    const moves = await waitFor('5 moves', () => {
      const got = receivedSince(peer, 'pointer', from).filter((m) => m.type === 'mouse-move');
      return got.length >= points.length ? got : undefined;
    });
    expect(moves.map((m) => ({ x: m.x, y: m.y }))).toEqual(points.map(([, , expected]) => expected));
    expectValidInputs(moves);

    // A fast sweep: 40 mousemove events within a few frames go out coalesced, the last position last.
    await evaluate(() => {
      (window as unknown as { moveEvents: number }).moveEvents = 0;
      document.getElementById('video')!.addEventListener('mousemove', () => (window as unknown as { moveEvents: number }).moveEvents++);
    });
    await inputsSent();
    await evaluate(() => {
      // Synthetic events within one task: the browser could deliver them within one frame too.
      const video = document.getElementById('video')!;
      for (let i = 0; i <= 40; i++) video.dispatchEvent(new MouseEvent('mousemove', { clientX: 7 + 16 * i, clientY: 73 + 90, bubbles: true }));
    });
    await sleep(150);
    const sweep = (await inputsSent()).filter((m) => m.type === 'mouse-move');
    const events = await evaluate(() => (window as unknown as { moveEvents: number }).moveEvents);
    console.log(`mouse sweep: ${events} mousemove events in one task → ${sweep.length} message(s)`);
    expect(events).toBe(41);
    expect(sweep).toHaveLength(1);
    expect(sweep[0]).toMatchObject({ x: 1, y: 0.25, sent: true });
  });

  it('sends buttons (reliable) and wheel notches (pointer), with the context menu prevented', async () => {
    const peer = hub.player!;
    const fromInput = peer.parsed('input').length;
    const fromPointer = peer.parsed('pointer').length;
    await page.mouse.move(PICTURE.x + 320, PICTURE.y + 180);
    await page.mouse.down({ button: 'left' });
    await page.mouse.up({ button: 'left' });
    await page.mouse.down({ button: 'right' });
    await page.mouse.up({ button: 'right' });
    await page.mouse.down({ button: 'middle' });
    await page.mouse.up({ button: 'middle' });
    await page.mouse.wheel(0, 100);
    await sleep(60);
    await page.mouse.wheel(0, -300);
    await sleep(60);
    // Two half notches in a row make one.
    await page.mouse.wheel(0, 50);
    await page.mouse.wheel(0, 50);
    await sleep(100);
    const buttons = await waitFor('6 button messages', () => {
      const got = receivedSince(peer, 'input', fromInput);
      return got.length >= 6 ? got : undefined;
    });
    expect(buttons).toEqual([0, 2, 1].flatMap((button) => [{ type: 'button', button, down: true }, { type: 'button', button, down: false }]));
    const wheel = await waitFor('3 wheel messages', () => {
      const got = receivedSince(peer, 'pointer', fromPointer).filter((m) => m.type === 'wheel');
      return got.length >= 3 ? got : undefined;
    });
    expect(wheel).toEqual([
      { type: 'wheel', dx: 0, dy: 1 },
      { type: 'wheel', dx: 0, dy: -3 },
      { type: 'wheel', dx: 0, dy: 1 },
    ]);
    expectValidInputs([...buttons, ...wheel]);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
  });

  it('releases every held key and button when the player loses focus', async () => {
    const peer = hub.player!;
    await evaluate(() => (window as unknown as CloudWindow).player.focus());
    const from = peer.parsed('input').length;
    await page.keyboard.down('KeyW');
    await page.keyboard.down('ShiftLeft');
    await page.mouse.move(PICTURE.x + 100, PICTURE.y + 100);
    await page.mouse.down();
    await waitFor('3 presses', () => receivedSince(peer, 'input', from).length >= 3);
    expect(await evaluate(() => (window as unknown as CloudWindow).player.input?.keysHeld)).toEqual(['KeyW', 'ShiftLeft']);
    // Focus moves elsewhere (another field, Alt+Tab, a dialog) while they are held.
    await page.focus('#elsewhere');
    const released = await waitFor('3 releases', () => {
      const got = receivedSince(peer, 'input', from);
      return got.length >= 6 ? got : undefined;
    });
    expect(released.slice(3)).toEqual([
      { type: 'key', code: 'KeyW', down: false },
      { type: 'key', code: 'ShiftLeft', down: false },
      { type: 'button', button: 0, down: false },
    ]);
    // The physical releases that follow go nowhere (the keys were already released).
    await page.keyboard.up('KeyW');
    await page.keyboard.up('ShiftLeft');
    await page.mouse.up();
    await sleep(200);
    expect(receivedSince(peer, 'input', from)).toHaveLength(6);
    expectValidInputs(released);
  });

  it('sends relative moves under pointer lock', async () => {
    const peer = hub.player!;
    await page.mouse.move(PICTURE.x + 320, PICTURE.y + 180);
    // Pointer lock needs a user gesture: a click handler toggles it, as the console's button does.
    await evaluate(() => {
      const button = document.createElement('button');
      button.id = 'lock';
      button.textContent = 'lock';
      button.onclick = () => void (window as unknown as CloudWindow).player.togglePointerLock();
      document.body.appendChild(button);
    });
    await page.click('#lock');
    await waitFor('pointer locked', async () => (await evaluate(() => (window as unknown as CloudWindow).player.pointerLocked)) === true, 5000);
    // Playwright moves from where the mouse last was (on the button): the first move's motion is not known here.
    await page.mouse.move(PICTURE.x + 320, PICTURE.y + 180);
    await sleep(100);
    const from = peer.parsed('pointer').length;
    await page.mouse.move(PICTURE.x + 370, PICTURE.y + 160);
    await sleep(60);
    await page.mouse.move(PICTURE.x + 360, PICTURE.y + 200);
    await sleep(100);
    const moves = receivedSince(peer, 'pointer', from);
    console.log('under pointer lock:', JSON.stringify(moves));
    expect(moves.every((m) => m.type === 'mouse-rel')).toBe(true);
    const total = moves.reduce((sum, m) => ({ dx: sum.dx + (m.dx as number), dy: sum.dy + (m.dy as number) }), { dx: 0, dy: 0 });
    // +50,-20 then -10,+40.
    expect(total).toEqual({ dx: 40, dy: 20 });
    expectValidInputs(moves);
    await evaluate(() => (window as unknown as CloudWindow).player.togglePointerLock());
    await waitFor('pointer unlocked', async () => (await evaluate(() => (window as unknown as CloudWindow).player.pointerLocked)) === false, 5000);
    expect(await evaluate(() => (window as unknown as CloudWindow).pointerLocks)).toEqual([true, false]);
  });

  it('detects a gamepad and sends its whole state on the reliable channel when it changes', async () => {
    const peer = hub.player!;
    const from = peer.parsed('input').length;
    // Headless Chromium has no pads: the Gamepad API is stubbed with a standard pad whose state the test sets.
    await evaluate(() => {
      const pad = {
        index: 0,
        id: 'Test pad (STANDARD GAMEPAD)',
        mapping: 'standard',
        connected: true,
        buttons: Array.from({ length: 17 }, () => ({ value: 0, pressed: false, touched: false })),
        axes: [0, 0, 0, 0],
      };
      (window as unknown as { pad: typeof pad }).pad = pad;
      Object.defineProperty(navigator, 'getGamepads', { value: () => [pad.connected ? pad : null, null, null, null], configurable: true });
      const event = new Event('gamepadconnected');
      Object.defineProperty(event, 'gamepad', { value: pad });
      window.dispatchEvent(event);
    });
    await waitFor('the pad detected', async () => (await evaluate(() => (window as unknown as CloudWindow).gamepadEvents)).length > 0);
    expect((await evaluate(() => (window as unknown as CloudWindow).gamepadEvents)).at(-1)).toEqual([{ index: 0, id: 'Test pad (STANDARD GAMEPAD)', standard: true }]);
    type PadWindow = { pad: { buttons: { value: number; pressed: boolean }[]; axes: number[]; connected: boolean } };
    // A at rest sends nothing; pressing A and pushing the stick left does.
    await sleep(100);
    expect(receivedSince(peer, 'input', from)).toEqual([]);
    await evaluate(() => {
      const { pad } = window as unknown as PadWindow;
      pad.buttons[0] = { value: 1, pressed: true };
      pad.axes[0] = -0.7;
    });
    await waitFor('the changed state', () => receivedSince(peer, 'input', from).length >= 1);
    // Unchanged (stick noise under the rounding and the deadzone does not count): nothing more.
    await evaluate(() => {
      (window as unknown as PadWindow).pad.axes[1] = 0.01;
    });
    await sleep(200);
    const states = receivedSince(peer, 'input', from);
    expect(states).toHaveLength(1);
    expect(states[0]).toEqual({ type: 'gamepad', index: 0, buttons: [1, ...Array(16).fill(0)], axes: [-0.7, 0, 0, 0] });
    // Unplugged: sent at rest, and the page is told.
    await evaluate(() => {
      const { pad } = window as unknown as PadWindow;
      pad.connected = false;
      const event = new Event('gamepaddisconnected');
      Object.defineProperty(event, 'gamepad', { value: pad });
      window.dispatchEvent(event);
    });
    await waitFor('the rest state', () => receivedSince(peer, 'input', from).length >= 2);
    expect(receivedSince(peer, 'input', from)[1]).toEqual({ type: 'gamepad', index: 0, buttons: Array(17).fill(0), axes: [0, 0, 0, 0] });
    expect((await evaluate(() => (window as unknown as CloudWindow).gamepadEvents)).at(-1)).toEqual([]);
    expectValidInputs(receivedSince(peer, 'input', from));
  });

  /*
   * Data-channel latency under sparse traffic (issue 6: an older werift spaced such messages about 200 ms apart, the
   * delayed-SACK timer). Method: both ends read the same kind of clock (performance.timeOrigin + performance.now(),
   * ms with sub-ms resolution), and the offset between Chromium's and Node's is measured first over the reliable
   * channel NTP-style: 20 pings answered at once by the werift side with its clock; offset = t1 - (t0 + t2) / 2 from
   * the ping with the smallest round trip, whose half round trip bounds the error (about 1 ms here). Then the sparse
   * phase is one-directional on purpose: 30 probes 70-150 ms apart and nothing sent back, so no reply carries a SACK
   * early (an echo test would hide exactly the delayed-SACK stall). Each probe's one-way latency is its arrival time
   * minus its send time, corrected by the offset. Arrival is when werift (or Chromium's onmessage) hands the message
   * to the application, so time spent waiting for a busy event loop on this loaded 2-core machine counts as latency
   * too (single messages at 20-40 ms were seen when other tests ran beside this one, with medians of 1-2 ms). So the
   * bounds: median under 10 ms, 90% under 30 ms, and none at 100 ms, half the stall it guards against: with the old
   * bug most messages would wait 50-200 ms and the queue would grow. Video flows during the measurement, as in a
   * session.
   */
  describe('data-channel latency under sparse traffic', () => {
    let offset: { offsetMs: number; errorMs: number };

    beforeAll(async () => {
      const peer = hub.player!;
      peer.onMessage = (message, channel) => {
        const parsed = JSON.parse(message.data) as { probe?: string; i?: number; t0?: number };
        if (parsed.probe === 'ping') channel.send(JSON.stringify({ probe: 'pong', i: parsed.i, t0: parsed.t0, t1: message.at }));
      };
      const samples = await evaluate(() => (window as unknown as CloudWindow).pingOffset(20));
      const best = samples.reduce((a, b) => (b.t2 - b.t0 < a.t2 - a.t0 ? b : a));
      offset = { offsetMs: best.t1 - (best.t0 + best.t2) / 2, errorMs: (best.t2 - best.t0) / 2 };
      console.log(`data channel clock offset (node - page) ${offset.offsetMs.toFixed(2)} ms ± ${offset.errorMs.toFixed(2)} ms; ping round trips ${summary(samples.map((s) => s.t2 - s.t0))}`);
      expect(offset.errorMs).toBeLessThan(10);
    });

    for (const [name, label] of [['reliable', 'input'], ['pointer', 'pointer']] as const) {
      it(`Chromium → werift on the ${label} channel: sparse messages arrive at once`, async () => {
        const peer = hub.player!;
        const before = peer.messages.length;
        const sent = await evaluate(([n]) => (window as unknown as CloudWindow).sendSparse(n, 30, 70, 150), [name] as const);
        await sleep(300);
        const probes = peer.messages
          .slice(before)
          .filter((m) => m.channel === label)
          .map((m) => ({ ...(JSON.parse(m.data) as { probe: string; i: number; t: number }), at: m.at }))
          .filter((m) => m.probe === 'up');
        expect(probes.map((p) => p.i).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
        const latencies = probes.map((p) => p.at - (p.t + offset.offsetMs));
        console.log(`data channel ${label}, Chromium → werift, 30 messages 70-150 ms apart: ${summary(latencies)}`);
        expectPromptDelivery(latencies);
      });

      it(`werift → Chromium on the ${label} channel: sparse messages arrive at once`, async () => {
        const peer = hub.player!;
        const channel = peer.channels.get(label)!;
        await evaluate(() => void (window as unknown as CloudWindow).received.splice(0));
        const sent: number[] = [];
        for (let i = 0; i < 30; i++) {
          await sleep(70 + Math.random() * 80);
          const t = nodeNow();
          channel.send(JSON.stringify({ probe: 'down', i, t }));
          sent.push(t);
        }
        await sleep(300);
        const received = (await evaluate(() => (window as unknown as CloudWindow).received))
          .filter((m) => m.channel === name)
          .map((m) => ({ ...(JSON.parse(m.data) as { probe: string; i: number; t: number }), at: m.at }))
          .filter((m) => m.probe === 'down');
        expect(received.map((m) => m.i).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
        const latencies = received.map((m) => m.at + offset.offsetMs - m.t);
        console.log(`data channel ${label}, werift → Chromium, 30 messages 70-150 ms apart: ${summary(latencies)}`);
        expectPromptDelivery(latencies);
      });
    }

    afterAll(() => {
      if (hub.player) hub.player.onMessage = undefined;
    });
  });

  it('replaces a connection the hub dropped (a new WHEP offer, channels again) while the session runs', async () => {
    const old = hub.player!;
    const postsBefore = hub.requests.filter((r) => r.method === 'POST').length;
    const droppedAt = Date.now();
    // A hub dropping a viewer closes its channels, which the browser sees at once (a bare werift pc.close() goes
    // unnoticed until ICE consent fails, about 10 s here); the player then connects again without waiting for ICE.
    for (const channel of old.channels.values()) channel.close();
    await sleep(50);
    await old.close();
    const peer = await waitFor('a new WHEP offer', () => (hub.player && hub.player !== old ? hub.player : undefined), 15_000);
    await waitFor('its channels open', async () => peer.channels.get('input')?.readyState === 'open' && peer.channels.get('pointer')?.readyState === 'open');
    await waitFor('playing again', async () => (await evaluate(() => (window as unknown as CloudWindow).player.status.phase)) === 'playing');
    const after = Date.now() - droppedAt;
    console.log(`connection dropped by the hub: playing again after ${after} ms`);
    expect(after).toBeLessThan(5000);
    expect(hub.requests.filter((r) => r.method === 'POST').length).toBe(postsBefore + 1);
    const phases = (await evaluate(() => (window as unknown as CloudWindow).statuses)).map((s) => s.phase);
    expect(phases.slice(-3)).toEqual(['reconnecting', 'reconnecting', 'playing']);
    // Input goes to the new connection.
    await evaluate(() => (window as unknown as CloudWindow).player.focus());
    await page.keyboard.press('KeyR');
    await waitFor('the key on the new connection', () => peer.parsed('input').length >= 2);
    expect(peer.parsed('input')).toEqual([
      { type: 'key', code: 'KeyR', down: true },
      { type: 'key', code: 'KeyR', down: false },
    ]);
  });

  it('ends: the connection is closed, input stops, and the reason is shown', async () => {
    const peer = hub.player!;
    const deletesBefore = hub.requests.filter((r) => r.method === 'DELETE').length;
    hub.push(session('ended', { endReason: 'idle-timeout', message: 'no input for 600 s', endedAt: Date.now() }));
    await waitFor('ended', async () => (await evaluate(() => (window as unknown as CloudWindow).player.status.phase)) === 'ended');
    expect((await evaluate(() => (window as unknown as CloudWindow).statuses)).at(-1)).toMatchObject({ phase: 'ended', endReason: 'idle-timeout' });
    // The viewer is deleted; the state stream is closed by the player (nothing more can come).
    await waitFor('the WHEP DELETE', () => hub.requests.filter((r) => r.method === 'DELETE').length === deletesBefore + 1);
    await waitFor('the state stream closed', () => hub.stateClientCount === 0);
    expect(peer.closed).toBe(true);
    await inputsSent();
    await evaluate(() => (window as unknown as CloudWindow).player.focus());
    await page.keyboard.press('KeyQ');
    await sleep(100);
    expect(await inputsSent()).toEqual([]);
    await evaluate(() => (window as unknown as CloudWindow).player.destroy());
  });

  it('spectates with a spectate token: video only, no data channels, no input', async () => {
    hub.push(session('running'));
    await evaluate(() => {
      const w = window as unknown as CloudWindow;
      w.statuses.splice(0);
      w.startCloud({ spectateToken: 'spectate-abc' });
    });
    const peer = await waitFor('the spectator offer', () => hub.peers.find((p) => p.role === 'spectator' && !p.closed));
    expect(peer.offerSdp).not.toMatch(/m=application/);
    await waitFor('playing', async () => (await evaluate(() => (window as unknown as CloudWindow).player.status.phase)) === 'playing');
    expect(hub.requests.filter((r) => r.path.endsWith('/state')).at(-1)?.token).toBe('spectate-abc');
    expect(hub.requests.filter((r) => r.path.endsWith('/whep')).at(-1)).toMatchObject({ token: 'spectate-abc', status: 201 });
    await page.mouse.click(PICTURE.x + 10, PICTURE.y + 10);
    await page.keyboard.press('KeyA');
    await sleep(100);
    expect(await inputsSent()).toEqual([]);
    expect(peer.messages).toEqual([]);
    expect((await evaluate(() => (window as unknown as CloudWindow).statuses)).every((s) => s.spectator)).toBe(true);
    await evaluate(() => (window as unknown as CloudWindow).player.destroy());

    // A hub that keeps the state stream for players: the spectator watches without it.
    hub.spectatorsMayFollowState = false;
    await evaluate(() => (window as unknown as CloudWindow).startCloud({ spectateToken: 'spectate-abc' }));
    await waitFor('playing without the state stream', async () => (await evaluate(() => (window as unknown as CloudWindow).player.status.phase)) === 'playing');
    expect(hub.requests.filter((r) => r.path.endsWith('/state')).at(-1)?.status).toBe(403);
    await evaluate(() => (window as unknown as CloudWindow).player.destroy());
    hub.spectatorsMayFollowState = true;
  });

  it('gives up with a typed error when the hub refuses the session', async () => {
    const statuses = await evaluate(async () => {
      const w = window as unknown as CloudWindow & { sightline: { CloudPlayer: new (o: Record<string, unknown>) => { on(n: string, l: (s: { phase: string; error?: { code: string; status?: number } }) => void): void; destroy(): Promise<void> } } };
      const run = async (sessionId: string, token: string) => {
        const seen: { phase: string; code: string | null; status: number | null }[] = [];
        const player = new w.sightline.CloudPlayer({ hubUrl: location.origin, sessionId, video: document.createElement('video'), token: () => token });
        player.on('status', (s) => seen.push({ phase: s.phase, code: s.error?.code ?? null, status: s.error?.status ?? null }));
        await new Promise((resolve) => setTimeout(resolve, 500));
        await player.destroy();
        return seen;
      };
      return [await run('0190b2a4-1c2d-7e3f-8a9b-000000000000', 'token-x'), await run(location.hash.slice(1), 'forged')];
    });
    expect(statuses).toEqual([[{ phase: 'failed', code: 'not-found', status: 404 }], [{ phase: 'failed', code: 'forbidden', status: 403 }]]);
  });
});
