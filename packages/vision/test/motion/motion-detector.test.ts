import { describe, expect, it } from 'vitest';
import { fitGeometry } from '../../src/frame.js';
import { MotionDetector, type MotionResult } from '../../src/motion/index.js';
import { makeFrame, sceneGray, seeded } from './synthetic-frames.js';

const scene = sceneGray(416, 416);

describe('MotionDetector', () => {
  it('reports nothing for a static, slightly noisy scene after the first frame', () => {
    const detector = new MotionDetector();
    const random = seeded(1);
    const results = Array.from({ length: 30 }, (_, index) => detector.update(makeFrame({ index, scene, noise: 3, random })));
    expect(results.every((r) => !r.motion && !r.lighting && r.regions.length === 0)).toBe(true);
  });

  it('ignores per-pixel noise below the threshold', () => {
    const detector = new MotionDetector();
    const random = seeded(2);
    const results = Array.from({ length: 30 }, (_, index) => detector.update(makeFrame({ index, scene, noise: 25, random })));
    expect(results.filter((r) => r.motion)).toEqual([]);
    expect(Math.max(...results.map((r) => r.changedFraction))).toBeLessThan(0.001);
  });

  it('finds a moving square and puts a region around it', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    let last: MotionResult | undefined;
    for (let i = 1; i <= 10; i++) {
      const x = 100 + i * 8;
      last = detector.update(makeFrame({ index: i, scene, squares: [[x, 200, 40, 250]] }));
      expect(last.motion).toBe(true);
      expect(last.lighting).toBe(false);
    }
    const [region, ...others] = last?.regions ?? [];
    expect(others).toEqual([]);
    // The square now covers x 180-220, y 200-240 of 416; earlier positions still differ from the background.
    const [x1, y1, x2, y2] = region ?? [0, 0, 0, 0];
    expect(x1).toBeLessThanOrEqual(180 / 416);
    expect(x2).toBeGreaterThanOrEqual(220 / 416);
    expect(y1).toBeLessThanOrEqual(200 / 416);
    expect(y2).toBeGreaterThanOrEqual(240 / 416);
    expect(x1).toBeGreaterThan(90 / 416);
    expect(x2).toBeLessThan(240 / 416);
    expect(y1).toBeGreaterThan(180 / 416);
    expect(y2).toBeLessThan(260 / 416);
  });

  it('gives separate regions for two objects far apart', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    const r = detector.update(makeFrame({ index: 1, scene, squares: [[20, 20, 30, 250], [300, 300, 60, 10]] }));
    expect(r.regions).toHaveLength(2);
    expect(r.regions[0]?.[0]).toBeGreaterThan(280 / 416); // the larger one first
  });

  it('compensates a global brightness change (auto-exposure): lighting, no motion, then nothing left over', () => {
    const detector = new MotionDetector();
    for (let i = 0; i < 5; i++) detector.update(makeFrame({ index: i, scene }));
    const bright = detector.update(makeFrame({ index: 5, scene, brightness: 40 }));
    expect(bright).toMatchObject({ motion: false, lighting: true, regions: [] });
    expect(bright.changedFraction).toBeLessThan(0.01);
    const after = detector.update(makeFrame({ index: 6, scene, brightness: 40 }));
    expect(after).toMatchObject({ motion: false, lighting: false });
  });

  it('still sees an object that moves while the exposure shifts', () => {
    const detector = new MotionDetector();
    for (let i = 0; i < 5; i++) detector.update(makeFrame({ index: i, scene }));
    const r = detector.update(makeFrame({ index: 5, scene, brightness: 30, squares: [[100, 100, 40, 250]] }));
    expect(r).toMatchObject({ motion: true, lighting: true });
  });

  it('leaves no ghost behind an object that passed through', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    for (let i = 1; i <= 15; i++) expect(detector.update(makeFrame({ index: i, scene, squares: [[60 + i * 10, 150, 50, 250]] })).motion).toBe(true);
    expect(detector.update(makeFrame({ index: 16, scene })).motion).toBe(false);
  });

  it('stops reporting cells that flicker on their own, and still sees a real object elsewhere', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    // A bright patch whose edges shake by a few pixels every frame, like a road marking on a vibrating pole.
    const shaking = (i: number) => makeFrame({ index: i, scene, squares: [[300 + (i % 2) * 6, 20, 40, 255]] });
    const early = detector.update(shaking(1));
    expect(early.motion).toBe(true);
    let last = early;
    for (let i = 2; i < 200; i++) last = detector.update(shaking(i));
    expect(last.motion).toBe(false);
    expect(detector.update(makeFrame({ index: 200, scene, squares: [[100, 200, 50, 250]] })).motion).toBe(true);
  });

  it('treats a brightness shift below the cell threshold but across the picture as lighting', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    expect(detector.update(makeFrame({ index: 1, scene, brightness: -15 }))).toMatchObject({ motion: false, lighting: true });
  });

  it('still sees motion when most of the picture is unchanged', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    // A large object, a third of the picture: motion, not lighting.
    const r = detector.update(makeFrame({ index: 1, scene, squares: [[0, 0, 240, 240]] }));
    expect(r).toMatchObject({ motion: true, lighting: false });
    expect(r.changedFraction).toBeGreaterThan(0.25);
  });

  it('absorbs a stopped object into the background over time', () => {
    const detector = new MotionDetector({ backgroundAlpha: 0.2, foregroundAlpha: 0.2 });
    detector.update(makeFrame({ index: 0, scene }));
    const parked = Array.from({ length: 20 }, (_, i) => detector.update(makeFrame({ index: i + 1, scene, squares: [[150, 150, 50, 250]] })));
    expect(parked[0]?.motion).toBe(true);
    expect(parked.at(-1)?.motion).toBe(false);
  });

  it('maps regions of a letterboxed frame to the source picture', () => {
    // A 640×320 source letterboxed (top-left) into 416×416: the picture fills 416×208, padding below.
    const geometry = fitGeometry(640, 320, 416, 416, 'letterbox');
    const base = { width: 416, height: 416, sourceWidth: 640, sourceHeight: 320, geometry };
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene, ...base }));
    // Square at buffer x 208-248, y 104-144 is source-normalized x 0.5-0.6, y 0.5-0.69.
    const r = detector.update(makeFrame({ index: 1, scene, squares: [[208, 104, 40, 250]], ...base }));
    const [x1, y1, x2, y2] = r.regions[0] ?? [0, 0, 0, 0];
    expect(x1).toBeGreaterThan(0.45);
    expect(x1).toBeLessThanOrEqual(0.5);
    expect(x2).toBeGreaterThanOrEqual(0.59);
    expect(x2).toBeLessThan(0.65);
    expect(y1).toBeGreaterThan(0.4);
    expect(y1).toBeLessThanOrEqual(0.5);
    expect(y2).toBeGreaterThanOrEqual(0.69);
    expect(y2).toBeLessThan(0.8);
  });

  it('starts over after reset or a change of frame size', () => {
    const detector = new MotionDetector();
    detector.update(makeFrame({ index: 0, scene }));
    detector.reset();
    expect(detector.update(makeFrame({ index: 1, scene, squares: [[100, 100, 50, 250]] })).motion).toBe(false);
    const small = sceneGray(160, 120);
    expect(detector.update(makeFrame({ index: 2, scene: small, width: 160, height: 120 })).motion).toBe(false);
    expect(detector.update(makeFrame({ index: 3, scene: small, width: 160, height: 120, squares: [[40, 40, 20, 250]] })).motion).toBe(true);
  });

  it('rejects bad frames and options with clear errors', () => {
    const detector = new MotionDetector();
    const frame = makeFrame({ index: 0, scene });
    expect(() => detector.update({ ...frame, data: frame.data.subarray(0, 1000) })).toThrow(/needs 519168/);
    expect(() => new MotionDetector({ backgroundAlpha: 0 })).toThrow(/backgroundAlpha/);
    expect(() => new MotionDetector({ gridColumns: 2 })).toThrow(/gridColumns/);
  });

  it('costs well under 1 ms per 416×416 frame', () => {
    const detector = new MotionDetector();
    const random = seeded(3);
    const frames = Array.from({ length: 8 }, (_, i) => makeFrame({ index: i, scene, noise: 4, random, squares: [[50 + i * 20, 100, 60, 240]] }));
    const times: number[] = [];
    for (let i = 0; i < 400; i++) {
      const frame = frames[i % frames.length];
      if (frame === undefined) throw new Error('no frame');
      const start = performance.now();
      detector.update(frame);
      times.push(performance.now() - start);
    }
    const steady = times.slice(50).sort((a, b) => a - b);
    const median = steady[Math.floor(steady.length / 2)] ?? Infinity;
    const p95 = steady[Math.floor(steady.length * 0.95)] ?? Infinity;
    console.log(`motion detector 416x416: median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms per frame`);
    expect(median).toBeLessThan(1);
  });
});
