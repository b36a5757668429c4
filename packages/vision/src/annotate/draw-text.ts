import { AnnotateError } from './annotate-error.js';
import { CELL_WIDTH, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor } from './bitmap-font.js';
import { fillRect } from './draw-rect.js';
import type { PixelBox, RasterImage, Rgb } from './raster-image.js';

export interface TextSize {
  width: number;
  height: number;
}

const MAX_TEXT_SCALE = 64;

/** The ink extent of one line of text at an integer scale: no trailing spacing column. */
export function measureText(text: string, scale = 1): TextSize {
  assertScale(scale);
  const chars = [...text].length;
  return { width: chars === 0 ? 0 : (chars * CELL_WIDTH - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/** Draw one line of text with its top-left ink corner at (x, y); each font pixel becomes a scale×scale square. */
export function drawText(image: RasterImage, text: string, x: number, y: number, color: Rgb, scale = 1): void {
  assertScale(scale);
  const left = Math.round(x);
  const top = Math.round(y);
  let penX = left;
  for (const char of text) {
    if (penX >= image.width) return;
    if (penX + GLYPH_WIDTH * scale > 0) drawGlyph(image, glyphFor(char.codePointAt(0)!), penX, top, color, scale);
    penX += CELL_WIDTH * scale;
  }
}

function drawGlyph(image: RasterImage, glyph: Uint8Array, left: number, top: number, color: Rgb, scale: number): void {
  for (let row = 0; row < GLYPH_HEIGHT; row++) {
    const bits = glyph[row]!;
    if (bits === 0) continue;
    const y = top + row * scale;
    // Paint each horizontal run of ink as one rectangle rather than pixel by pixel.
    let col = 0;
    while (col < GLYPH_WIDTH) {
      if (!inked(bits, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < GLYPH_WIDTH && inked(bits, col)) col++;
      fillRect(image, [left + start * scale, y, left + col * scale, y + scale], color);
    }
  }
}

function inked(bits: number, col: number): boolean {
  return ((bits >> (GLYPH_WIDTH - 1 - col)) & 1) === 1;
}

export interface LabelStyle {
  textColor: Rgb;
  background: Rgb;
  /** Opacity of the background box, 0-1. */
  backgroundAlpha?: number;
  scale?: number;
  /** Space between the text and the box edge, in image pixels. */
  padding?: number;
}

/** The size of the box `drawLabel` would draw. */
export function measureLabel(text: string, style: Pick<LabelStyle, 'scale' | 'padding'>): TextSize {
  const { width, height } = measureText(text, style.scale ?? 1);
  const padding = labelPadding(style);
  return { width: width + 2 * padding, height: height + 2 * padding };
}

/** Draw text on a filled box whose top-left corner is (x, y); returns the box, clipped or not. */
export function drawLabel(image: RasterImage, text: string, x: number, y: number, style: LabelStyle): PixelBox {
  const scale = style.scale ?? 1;
  const padding = labelPadding(style);
  const size = measureLabel(text, style);
  const left = Math.round(x);
  const top = Math.round(y);
  const box: PixelBox = [left, top, left + size.width, top + size.height];
  fillRect(image, box, style.background, style.backgroundAlpha ?? 1);
  drawText(image, text, left + padding, top + padding, style.textColor, scale);
  return box;
}

function labelPadding(style: Pick<LabelStyle, 'scale' | 'padding'>): number {
  const padding = style.padding ?? 2 * (style.scale ?? 1);
  if (!Number.isInteger(padding) || padding < 0) {
    throw new AnnotateError('invalid-argument', `label padding must be a whole number of pixels >= 0, got ${padding}`);
  }
  return padding;
}

function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_TEXT_SCALE) {
    throw new AnnotateError('invalid-argument', `text scale must be a whole number in 1..${MAX_TEXT_SCALE}, got ${scale}`);
  }
}
