import type { RawPicture } from './raw-decoder.js';

/** A point [x, y] with coordinates as fractions (0..1) of the picture's width and height. */
export type NormalizedPoint = readonly [number, number];

/** A rectangle in source pixels: x1, y1, x2, y2. */
export type PixelBox = readonly [number, number, number, number];

/** Black in limited-range YUV, what x264 and browsers assume. */
const BLACK_Y = 16;
const NEUTRAL_CHROMA = 128;

/**
 * Paints privacy into I420 pictures in place: polygons blacked out, rectangles pixelated (each block of pixels set to
 * its mean, which no deblurring can undo). The polygons are rasterised once per picture size into row spans.
 */
export class PrivacyPainter {
  #spans: { width: number; height: number; rows: [number, number][][] } | undefined;

  constructor(private readonly masks: readonly (readonly NormalizedPoint[])[]) {}

  get hasMasks(): boolean {
    return this.masks.length > 0;
  }

  paint(picture: RawPicture, pixelate: readonly PixelBox[]): void {
    for (const box of pixelate) pixelateBox(picture, box);
    if (this.masks.length > 0) this.#blackOut(picture);
  }

  #blackOut(picture: RawPicture): void {
    const { width, height, data } = picture;
    if (this.#spans?.width !== width || this.#spans.height !== height) {
      this.#spans = { width, height, rows: rasterise(this.masks, width, height) };
    }
    const chromaWidth = Math.ceil(width / 2);
    const uOffset = width * height;
    const vOffset = uOffset + chromaWidth * Math.ceil(height / 2);
    this.#spans.rows.forEach((spans, y) => {
      for (const [from, to] of spans) {
        data.fill(BLACK_Y, y * width + from, y * width + to);
        if (y % 2 === 0) {
          const row = (y / 2) * chromaWidth;
          const cFrom = Math.floor(from / 2);
          const cTo = Math.ceil(to / 2);
          data.fill(NEUTRAL_CHROMA, uOffset + row + cFrom, uOffset + row + cTo);
          data.fill(NEUTRAL_CHROMA, vOffset + row + cFrom, vOffset + row + cTo);
        }
      }
    });
  }
}

/** For each row, the [from, to) pixel spans inside any polygon (even-odd rule, sampled at pixel centres). */
export function rasterise(polygons: readonly (readonly NormalizedPoint[])[], width: number, height: number): [number, number][][] {
  const rows: [number, number][][] = Array.from({ length: height }, () => []);
  for (const polygon of polygons) {
    const points = polygon.map(([x, y]) => ({ x: x * width, y: y * height }));
    for (let y = 0; y < height; y++) {
      const cy = y + 0.5;
      const crossings: number[] = [];
      for (let i = 0; i < points.length; i++) {
        const a = points[i]!;
        const b = points[(i + 1) % points.length]!;
        if ((a.y <= cy && b.y > cy) || (b.y <= cy && a.y > cy)) crossings.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
      }
      crossings.sort((p, q) => p - q);
      for (let i = 0; i + 1 < crossings.length; i += 2) {
        const from = Math.max(0, Math.round(crossings[i]!));
        const to = Math.min(width, Math.round(crossings[i + 1]!));
        if (to > from) rows[y]!.push([from, to]);
      }
    }
  }
  return rows;
}

/** Replace each block of the box with its mean; the block size grows with the box so a face is never legible. */
export function pixelateBox(picture: RawPicture, box: PixelBox): void {
  const { width, height } = picture;
  const x1 = clampEven(Math.floor(box[0]), width);
  const y1 = clampEven(Math.floor(box[1]), height);
  const x2 = Math.min(width, Math.ceil(box[2]));
  const y2 = Math.min(height, Math.ceil(box[3]));
  if (x2 <= x1 || y2 <= y1) return;
  const block = Math.max(8, 2 * Math.round(Math.max(x2 - x1, y2 - y1) / 16));
  const chromaWidth = Math.ceil(width / 2);
  const chromaHeight = Math.ceil(height / 2);
  const uOffset = width * height;
  const vOffset = uOffset + chromaWidth * chromaHeight;
  averageBlocks(picture.data, 0, width, x1, y1, x2, y2, block);
  const c = [x1 / 2, y1 / 2, Math.ceil(x2 / 2), Math.ceil(y2 / 2)] as const;
  averageBlocks(picture.data, uOffset, chromaWidth, c[0], c[1], c[2], c[3], block / 2);
  averageBlocks(picture.data, vOffset, chromaWidth, c[0], c[1], c[2], c[3], block / 2);
}

const clampEven = (value: number, limit: number) => Math.max(0, Math.min(limit, value - (value % 2)));

function averageBlocks(data: Buffer, offset: number, stride: number, x1: number, y1: number, x2: number, y2: number, block: number): void {
  for (let by = y1; by < y2; by += block) {
    const bye = Math.min(y2, by + block);
    for (let bx = x1; bx < x2; bx += block) {
      const bxe = Math.min(x2, bx + block);
      let sum = 0;
      for (let y = by; y < bye; y++) {
        const row = offset + y * stride;
        for (let x = bx; x < bxe; x++) sum += data[row + x]!;
      }
      const mean = Math.round(sum / ((bye - by) * (bxe - bx)));
      for (let y = by; y < bye; y++) data.fill(mean, offset + y * stride + bx, offset + y * stride + bxe);
    }
  }
}
