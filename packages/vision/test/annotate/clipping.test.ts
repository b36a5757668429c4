import { describe, expect, it } from 'vitest';
import {
  drawLabel,
  drawLine,
  fillPolygon,
  fillRect,
  strokePolygon,
  strokeRect,
  type PixelPoint,
  type RasterImage,
} from '../../src/annotate/index.js';

/** A deterministic generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const W = 32;
const H = 24;

/**
 * An image whose buffer throws on any read or write outside 0..length-1. Typed arrays silently ignore
 * out-of-range writes, so without this an overrun would go unnoticed.
 */
function strictImage(): { image: RasterImage; raw: Buffer } {
  const buffer = Buffer.alloc(W * H * 3);
  const checkIndex = (target: Buffer, prop: string | symbol) => {
    if (typeof prop !== 'string' || !/^-?[\d.e+]+$|^NaN$|^-?Infinity$/.test(prop)) return;
    const i = Number(prop);
    if (!Number.isInteger(i) || i < 0 || i >= target.length) throw new Error(`buffer index ${prop} is outside 0..${target.length - 1}`);
  };
  const data = new Proxy(buffer, {
    get(target, prop) {
      checkIndex(target, prop);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(target, prop, value) {
      checkIndex(target, prop);
      return Reflect.set(target, prop, value, target);
    },
  });
  return { image: { width: W, height: H, data }, raw: buffer };
}

/** Bounding box of the pixels that are not black, or null when none are. */
function inkBounds(raw: Buffer): [number, number, number, number] | null {
  let bounds: [number, number, number, number] | null = null;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      if (raw[o] === 0 && raw[o + 1] === 0 && raw[o + 2] === 0) continue;
      bounds = bounds ? [Math.min(bounds[0], x), Math.min(bounds[1], y), Math.max(bounds[2], x), Math.max(bounds[3], y)] : [x, y, x, y];
    }
  }
  return bounds;
}

/** The extent of the points, grown by `thickness`; points that are not finite are never drawn, so they don't count. */
function bounds(points: PixelPoint[], thickness: number): number[] {
  const finite = points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]);
  return [Math.min(...xs) - thickness, Math.min(...ys) - thickness, Math.max(...xs) + thickness, Math.max(...ys) + thickness];
}

describe('clipping', () => {
  const next = random(20261124);
  // Coordinates from well inside to absurdly far outside, plus the values that break naive code.
  const coordinate = (size: number): number => {
    const r = next();
    if (r < 0.05) return [NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE][Math.floor(next() * 5)]!;
    if (r < 0.25) return (next() - 0.5) * 2e9;
    if (r < 0.5) return (next() - 0.5) * size * 6;
    return next() * size;
  };
  const point = (): PixelPoint => [coordinate(W), coordinate(H)];

  it('never throws, never indexes outside the buffer and never wraps into other rows', () => {
    const { image, raw } = strictImage();
    const white = [255, 255, 255] as const;
    let inked = 0;
    for (let i = 0; i < 3000; i++) {
      raw.fill(0);
      const thickness = 1 + Math.floor(next() * 6);
      const box = [coordinate(W), coordinate(H), coordinate(W), coordinate(H)] as const;
      const points = [point(), point(), point(), point()];
      // Where ink may legitimately land: the shape's extent grown by the brush, clipped to the image.
      let extent: number[] = [];
      switch (i % 6) {
        case 0:
          fillRect(image, box, white, 0.3 + next());
          extent = [box[0], box[1], box[2], box[3]];
          break;
        case 1:
          strokeRect(image, box, white, thickness);
          extent = [box[0], box[1], box[2], box[3]];
          break;
        case 2:
          drawLine(image, points[0]!, points[1]!, white, thickness);
          extent = bounds(points.slice(0, 2), thickness);
          break;
        case 3:
          fillPolygon(image, points, white, 0.3 + next());
          extent = bounds(points, 0);
          break;
        case 4:
          strokePolygon(image, points.slice(0, 3), white, thickness);
          extent = bounds(points.slice(0, 3), thickness);
          break;
        case 5: {
          const scale = 1 + Math.floor(next() * 3);
          const label = drawLabel(image, `#${i} person 0.5`, box[0], box[1], { textColor: white, background: white, scale });
          extent = [...label];
          break;
        }
      }
      const ink = inkBounds(raw);
      if (ink === null) continue;
      inked++;
      const [x1, y1, x2, y2] = extent.map((v) => (Number.isNaN(v) ? 0 : v)) as [number, number, number, number];
      const slack = 1;
      if (ink[0] < Math.min(x1, x2) - slack || ink[2] > Math.max(x1, x2) + slack || ink[1] < Math.min(y1, y2) - slack || ink[3] > Math.max(y1, y2) + slack) {
        throw new Error(`draw call ${i} put ink at ${ink.join(",")} outside its shape ${extent.join(",")} ${JSON.stringify(points)} t=${thickness}`);
      }
    }
    // The random shapes must have hit the picture often enough for the bounds check to mean something.
    expect(inked).toBeGreaterThan(500);
  });

  it('draws nothing for boxes and lines entirely outside the frame', () => {
    const { image, raw } = strictImage();
    fillRect(image, [-50, -50, -1, -1], [255, 0, 0]);
    fillRect(image, [W, 0, W + 100, H], [255, 0, 0]);
    strokeRect(image, [-1e12, H + 1, 1e12, H + 1e12], [255, 0, 0], 3);
    drawLine(image, [-10, -10], [W + 10, -10], [255, 0, 0], 2);
    fillPolygon(image, [[-5, -5], [-1, -5], [-1, -1]], [255, 0, 0]);
    expect(raw.every((b) => b === 0)).toBe(true);
  });

  it('draws the visible part of a box hanging over the edge', () => {
    const { image, raw } = strictImage();
    fillRect(image, [W - 2, H - 3, W + 1000, H + 1000], [255, 255, 255]);
    const lit = raw.reduce((n, b) => n + (b === 255 ? 1 : 0), 0) / 3;
    expect(lit).toBe(2 * 3);
  });
});
