import type { Frame } from '../../src/frame.js';

/** A deterministic pseudo-random generator (mulberry32), so noisy frames are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A textured static scene: smooth gradients plus a checkerboard, mid-grey so brightness shifts do not clip. */
export function sceneGray(width: number, height: number): Uint8Array {
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const checker = ((x >> 4) + (y >> 4)) % 2 === 0 ? 20 : -20;
      gray[y * width + x] = 100 + Math.round((40 * x) / width) + checker;
    }
  }
  return gray;
}

export interface FrameSpec {
  index: number;
  width?: number;
  height?: number;
  /** Scene luma per pixel; a copy is drawn on. */
  scene: Uint8Array;
  /** Added to every pixel (a lighting change). */
  brightness?: number;
  /** Uniform noise of ± this many levels per channel. */
  noise?: number;
  random?: () => number;
  /** Filled squares [x, y, size, luma] in buffer pixels. */
  squares?: Array<[number, number, number, number]>;
  fps?: number;
  geometry?: Frame['geometry'];
  sourceWidth?: number;
  sourceHeight?: number;
}

export function makeFrame(spec: FrameSpec): Frame {
  const width = spec.width ?? 416;
  const height = spec.height ?? 416;
  const data = Buffer.alloc(width * height * 3);
  const luma = Uint8Array.from(spec.scene);
  for (const [sx, sy, size, value] of spec.squares ?? []) {
    for (let y = sy; y < Math.min(height, sy + size); y++) luma.fill(value, y * width + sx, y * width + Math.min(width, sx + size));
  }
  const random = spec.random ?? Math.random;
  const noise = spec.noise ?? 0;
  const brightness = spec.brightness ?? 0;
  for (let i = 0; i < width * height; i++) {
    const base = (luma[i] as number) + brightness;
    for (let c = 0; c < 3; c++) {
      const n = noise > 0 ? Math.round((random() * 2 - 1) * noise) : 0;
      data[i * 3 + c] = Math.min(255, Math.max(0, base + n));
    }
  }
  return {
    index: spec.index,
    pts: spec.index / (spec.fps ?? 15),
    data,
    pixelFormat: 'rgb24',
    width,
    height,
    sourceWidth: spec.sourceWidth ?? width,
    sourceHeight: spec.sourceHeight ?? height,
    geometry: spec.geometry ?? { scaleX: 1, scaleY: 1, padX: 0, padY: 0 },
  };
}
