import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamSession } from '../src/index.js';
import { colorSession, colourName } from './support/color-session.js';
import { colourAt, LiveDecoder, type DecodedFrame } from './support/live-decoder.js';

const centre = (frame: DecodedFrame) => colourName(colourAt(frame, 0.5, 0.5));
const quarters = (frame: DecodedFrame) =>
  [colourAt(frame, 0.25, 0.25), colourAt(frame, 0.75, 0.25), colourAt(frame, 0.25, 0.75), colourAt(frame, 0.75, 0.75)].map(colourName);

describe('a session: injected input reaches the app, and the capture shows it', () => {
  let session: StreamSession;
  let decoder: LiveDecoder;

  beforeAll(async () => {
    session = colorSession();
    await session.start();
    console.log(`session started in ${session.startupMs.total!.toFixed(0)} ms`, JSON.stringify(session.startupMs, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v) : v)));
    decoder = new LiveDecoder(session.capture);
    await decoder.waitFor((frame) => centre(frame) === 'red', 5000, true);
  });

  afterAll(async () => {
    decoder?.close();
    await session?.end();
  });

  it('a key press changes the colour of the picture', async () => {
    const sentAt = Date.now();
    expect(session.input({ type: 'key', code: 'KeyA', down: true })).toEqual({ ok: true });
    expect(session.input({ type: 'key', code: 'KeyA', down: false })).toEqual({ ok: true });
    const frame = await decoder.waitFor((f) => centre(f) === 'green', 3000);
    // The grab time of the first picture that shows it: input → app → X server → x11grab, to within one frame.
    const grabbedAfter = session.capture.wallClockOf(frame.unit.pts) - sentAt;
    const encodedAfter = frame.unit.receivedAt - sentAt;
    console.log(`key → first changed grab ${grabbedAfter} ms, → its encoded picture ${encodedAfter} ms, → decoded here ${frame.decodedAt - sentAt} ms`);
    expect(encodedAfter).toBeLessThan(500);
  });

  it('a click at a position paints that quarter of the screen', async () => {
    const before = quarters(decoder.latest!);
    expect(before).not.toContain('white');
    const sentAt = Date.now();
    session.input({ type: 'mouse-move', x: 0.8, y: 0.8 });
    session.input({ type: 'button', button: 0, down: true });
    session.input({ type: 'button', button: 0, down: false });
    const frame = await decoder.waitFor((f) => quarters(f)[3] === 'white', 3000);
    console.log(`click → its encoded picture ${frame.unit.receivedAt - sentAt} ms`);
    expect(quarters(frame).slice(0, 3)).not.toContain('white');
  });

  it('relative motion moves the pointer from where it is', async () => {
    session.input({ type: 'mouse-move', x: 0.8, y: 0.8 }); // bottom right
    session.input({ type: 'mouse-rel', dx: -160, dy: -90 }); // 320×180: to the top left quarter
    session.input({ type: 'button', button: 0, down: true });
    session.input({ type: 'button', button: 0, down: false });
    const frame = await decoder.waitFor((f) => quarters(f)[0] === 'white', 3000);
    expect(quarters(frame)[1]).not.toBe('white');
  });

  it('rejects malformed input and reports what it cannot do', () => {
    expect(session.input({ type: 'key', code: 'KeyA' })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(session.input({ type: 'mouse-move', x: 2, y: 0 })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(session.input({ type: 'exec', command: 'rm -rf /' })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(session.input('KeyA')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(session.input({ type: 'key', code: 'NoSuchKey', down: true })).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(session.input({ type: 'gamepad', index: 0, buttons: [1], axes: [0] })).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(session.input({ type: 'wheel', dx: 0, dy: 3 })).toEqual({ ok: true });
  });

  it('measures the injection round trip and the capture', async () => {
    const trips: number[] = [];
    for (let i = 0; i < 20; i++) {
      session.input({ type: 'mouse-move', x: Math.random(), y: Math.random() });
      trips.push(await session.syncInput());
    }
    trips.sort((a, b) => a - b);
    const before = session.capture.stats.pictures;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const stats = session.capture.stats;
    const fps = (stats.pictures - before) / 2;
    console.log(
      `XTest inject + X round trip: median ${trips[10]!.toFixed(2)} ms, max ${trips[19]!.toFixed(2)} ms; capture ${fps} fps over 2 s, ` +
        `grab → picture mean ${stats.captureLatencyMs!.mean.toFixed(1)} ms, last ${stats.captureLatencyMs!.last.toFixed(1)} ms`,
    );
    expect(fps).toBeGreaterThanOrEqual(25);
    expect(stats.captureLatencyMs!.last).toBeLessThan(200);
  });
});

describe('a keyframe on request', () => {
  it('comes from a second encoder that takes over at a picture boundary, on the same timeline', async () => {
    const session = colorSession();
    await session.start();
    try {
      const units: { pts: number; keyframe: boolean; at: number }[] = [];
      session.capture.subscribe((unit) => units.push({ pts: unit.pts, keyframe: unit.keyframe, at: performance.now() }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const oldEncoder = session.pids.ffmpeg[0]!;
      const askedAt = performance.now();
      expect(session.capture.requestKeyframe()).toMatchObject({ action: 'restart' });
      expect(session.capture.requestKeyframe()).toMatchObject({ action: 'wait', reason: 'restart-in-progress' });
      const decoder = new LiveDecoder(session.capture);
      const deadline = askedAt + 3000;
      while (!units.some((unit) => unit.keyframe && unit.at > askedAt) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const idr = units.find((unit) => unit.keyframe && unit.at > askedAt);
      expect(idr).toBeDefined();
      console.log(`IDR ${(idr!.at - askedAt).toFixed(0)} ms after the request`);
      // Timestamps only grow, by about a frame, across the switch.
      for (let i = 1; i < units.length; i++) expect(units[i]!.pts).toBeGreaterThan(units[i - 1]!.pts);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(session.pids.ffmpeg).not.toContain(oldEncoder);
      expect(session.pids.ffmpeg).toHaveLength(1);
      expect(session.capture.requestKeyframe()).toMatchObject({ action: 'wait', reason: 'rate-limited' });
      // And the stream still decodes to the app's picture.
      const frame = await decoder.waitFor((f) => colourName(colourAt(f, 0.1, 0.1)) === 'red', 3000, true);
      expect(frame).toBeDefined();
      decoder.close();
    } finally {
      await session.end();
    }
  });
});
