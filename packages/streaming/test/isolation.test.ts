import { afterAll, describe, expect, it } from 'vitest';
import { connectX, processesOwnedBy, SESSION_UID_BASE, type StreamSession } from '../src/index.js';
import { colorSession, colourName } from './support/color-session.js';
import { colourAt, LiveDecoder, type DecodedFrame } from './support/live-decoder.js';

const corner = (frame: DecodedFrame) => colourName(colourAt(frame, 0.1, 0.1));

describe('two sessions on one host', () => {
  const sessions: StreamSession[] = [];
  const decoders: LiveDecoder[] = [];
  afterAll(async () => {
    for (const decoder of decoders) decoder.close();
    await Promise.all(sessions.map((session) => session.end()));
  });

  it('are isolated: own display, own cookie, own user, and input reaches only its own app', async () => {
    const [a, b] = [colorSession(), colorSession()];
    sessions.push(a, b);
    await Promise.all([a.start(), b.start()]);
    expect(a.display.number).not.toBe(b.display.number);
    // Neither cookie opens the other display; the apps run as different users.
    await expect(connectX({ display: b.display.name, cookie: a.display.cookie })).rejects.toThrow();
    await expect(connectX({ display: a.display.name, cookie: b.display.cookie })).rejects.toThrow();
    const uidA = SESSION_UID_BASE + a.display.number;
    const uidB = SESSION_UID_BASE + b.display.number;
    expect(processesOwnedBy(uidA)).toEqual(a.pids.app);
    expect(processesOwnedBy(uidB)).toEqual(b.pids.app);

    const [seeA, seeB] = [new LiveDecoder(a.capture), new LiveDecoder(b.capture)];
    decoders.push(seeA, seeB);
    await Promise.all([seeA.waitFor((f) => corner(f) === 'red', 5000, true), seeB.waitFor((f) => corner(f) === 'red', 5000, true)]);

    for (let i = 0; i < 3; i++) {
      a.input({ type: 'key', code: 'KeyQ', down: true });
      a.input({ type: 'key', code: 'KeyQ', down: false });
    }
    a.input({ type: 'mouse-move', x: 0.1, y: 0.1 });
    a.input({ type: 'button', button: 0, down: true });
    a.input({ type: 'button', button: 0, down: false });
    await seeA.waitFor((f) => corner(f) === 'white', 3000);
    await a.syncInput();
    await b.syncInput();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // B saw none of it: still the first colour everywhere, nothing painted.
    const latestB = seeB.latest!;
    expect(latestB.unit.receivedAt).toBeGreaterThan(Date.now() - 200);
    expect([0.1, 0.6].flatMap((x) => [0.1, 0.6].map((y) => colourName(colourAt(latestB, x, y))))).toEqual(['red', 'red', 'red', 'red']);
  });
});
