import { AnnotateError } from './annotate-error.js';

/** A colour as 0-255 red, green, blue, whatever the byte order of the image it is drawn on. */
export type Rgb = readonly [number, number, number];

/**
 * A packed 8-bit, 3-bytes-per-pixel, row-major picture the rasterizer draws on. A vision `Frame` fits
 * this shape, so frames can be drawn on in place; `bgr24` images get their colours swapped on the way in.
 */
export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
  readonly pixelFormat?: 'rgb24' | 'bgr24';
}

/** A point in image pixels; fractional and out-of-frame values are allowed. */
export type PixelPoint = readonly [number, number];

/**
 * An axis-aligned box in image pixels, [x1, y1, x2, y2], with edges between pixels: [10, 10, 20, 20] covers
 * pixels 10..19 on each axis. Fractional edges are rounded to the nearest pixel edge.
 */
export type PixelBox = readonly [number, number, number, number];

/** The largest side the rasterizer accepts, far above any video frame, to keep index arithmetic exact. */
export const MAX_IMAGE_SIDE = 1 << 15;

export function createRasterImage(width: number, height: number, background: Rgb = [0, 0, 0]): RasterImage {
  assertImageSize(width, height);
  const data = Buffer.allocUnsafe(width * height * 3);
  const image: RasterImage = { width, height, data, pixelFormat: 'rgb24' };
  const [r, g, b] = background;
  if (r === g && g === b) data.fill(clampByte(r));
  else for (let o = 0; o < data.length; o += 3) setBytes(data, o, r, g, b);
  return image;
}

/** Throws an AnnotateError unless `image` is a well-formed packed 3-channel picture. */
export function assertRasterImage(image: RasterImage): void {
  assertImageSize(image.width, image.height);
  if (!Buffer.isBuffer(image.data) || image.data.length < image.width * image.height * 3) {
    throw new AnnotateError(
      'invalid-image',
      `image data must be a Buffer of at least ${image.width}×${image.height}×3 = ${image.width * image.height * 3} bytes, ` +
        `got ${Buffer.isBuffer(image.data) ? `${image.data.length} bytes` : typeof image.data}`,
    );
  }
}

function assertImageSize(width: number, height: number): void {
  const ok = (v: number) => Number.isInteger(v) && v > 0 && v <= MAX_IMAGE_SIDE;
  if (!ok(width) || !ok(height)) {
    throw new AnnotateError('invalid-image', `image size must be whole pixels in 1..${MAX_IMAGE_SIDE}, got ${width}×${height}`);
  }
}

/** The colour as the three bytes to store in this image, in its byte order, clamped to 0-255. */
export function colorBytes(image: RasterImage, color: Rgb): Rgb {
  const r = clampByte(color[0]);
  const g = clampByte(color[1]);
  const b = clampByte(color[2]);
  return image.pixelFormat === 'bgr24' ? [b, g, r] : [r, g, b];
}

/** The colour of one pixel, in RGB whatever the image's byte order; for tests and diagnostics. */
export function getPixel(image: RasterImage, x: number, y: number): Rgb {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= image.width || y >= image.height) {
    throw new AnnotateError('invalid-argument', `pixel (${x}, ${y}) is outside the ${image.width}×${image.height} image`);
  }
  const o = (y * image.width + x) * 3;
  const a = image.data[o]!;
  const g = image.data[o + 1]!;
  const c = image.data[o + 2]!;
  return image.pixelFormat === 'bgr24' ? [c, g, a] : [a, g, c];
}

/** Opacity as a 0-256 integer weight, so blending is integer arithmetic; NaN counts as transparent. */
export function alphaWeight(alpha: number): number {
  if (!(alpha > 0)) return 0;
  return alpha >= 1 ? 256 : Math.round(alpha * 256);
}

/** Paint one horizontal run of pixels [x0, x1) on row y; the caller has clipped it to the image. */
export function paintSpan(image: RasterImage, y: number, x0: number, x1: number, bytes: Rgb, weight: number): void {
  const data = image.data;
  const [r, g, b] = bytes;
  let o = (y * image.width + x0) * 3;
  const end = (y * image.width + x1) * 3;
  if (weight >= 256) {
    for (; o < end; o += 3) setBytes(data, o, r, g, b);
    return;
  }
  const keep = 256 - weight;
  const wr = r * weight;
  const wg = g * weight;
  const wb = b * weight;
  for (; o < end; o += 3) {
    data[o] = (data[o]! * keep + wr) >> 8;
    data[o + 1] = (data[o + 1]! * keep + wg) >> 8;
    data[o + 2] = (data[o + 2]! * keep + wb) >> 8;
  }
}

function setBytes(data: Buffer, o: number, r: number, g: number, b: number): void {
  data[o] = r;
  data[o + 1] = g;
  data[o + 2] = b;
}

function clampByte(v: number): number {
  if (!(v > 0)) return 0;
  return v >= 255 ? 255 : Math.round(v);
}
