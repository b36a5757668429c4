import { describe, expect, it } from 'vitest';
import { CELL_WIDTH, GLYPH_HEIGHT, hasGlyph } from '../../src/annotate/bitmap-font.js';
import {
  AnnotateError,
  createRasterImage,
  drawLabel,
  drawText,
  getPixel,
  measureLabel,
  measureText,
} from '../../src/annotate/index.js';
import { changedPixels, inkMask } from './mask.js';

const WHITE = [255, 255, 255] as const;
const BLUE = [0, 0, 255] as const;

describe('bitmap font', () => {
  it('has a glyph for every printable ASCII character', () => {
    for (let c = 32; c <= 126; c++) expect(hasGlyph(c), String.fromCharCode(c)).toBe(true);
  });

  it('gives distinct printable characters distinct shapes', () => {
    const shapes = new Map<string, string>();
    for (let c = 33; c <= 126; c++) {
      const image = createRasterImage(5, 7);
      drawText(image, String.fromCharCode(c), 0, 0, WHITE);
      const shape = inkMask(image, WHITE).join('/');
      expect(shape, `${String.fromCharCode(c)} looks like ${shapes.get(shape)}`).not.toBe(undefined);
      expect(shapes.has(shape), `${String.fromCharCode(c)} has the same shape as ${shapes.get(shape)}`).toBe(false);
      shapes.set(shape, String.fromCharCode(c));
    }
  });
});

describe('drawText', () => {
  it('draws the designed glyph exactly', () => {
    const image = createRasterImage(5, 7);
    drawText(image, 'H', 0, 0, WHITE);
    expect(inkMask(image, WHITE)).toEqual(['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#']);
  });

  it('magnifies each font pixel to a scale×scale square', () => {
    const image = createRasterImage(10, 14);
    drawText(image, '-', 0, 0, WHITE, 2);
    const mask = inkMask(image, WHITE);
    expect(mask[6]).toBe('##########');
    expect(mask[7]).toBe('##########');
    expect(mask.filter((row) => row.includes('#'))).toHaveLength(2);
  });

  it('advances one cell per character and measures the ink extent', () => {
    expect(measureText('ab', 1)).toEqual({ width: 2 * CELL_WIDTH - 1, height: GLYPH_HEIGHT });
    expect(measureText('ab', 3)).toEqual({ width: (2 * CELL_WIDTH - 1) * 3, height: GLYPH_HEIGHT * 3 });
    expect(measureText('', 2).width).toBe(0);
    const image = createRasterImage(20, 8);
    drawText(image, 'II', 1, 0, WHITE);
    // 'I' has ink in its middle column; the second one is one cell further right.
    expect(getPixel(image, 3, 3)).toEqual(WHITE);
    expect(getPixel(image, 3 + CELL_WIDTH, 3)).toEqual(WHITE);
  });

  it('draws a hollow box for characters outside printable ASCII', () => {
    const image = createRasterImage(5, 7);
    drawText(image, 'é', 0, 0, WHITE);
    expect(inkMask(image, WHITE)).toEqual(['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####']);
  });

  it('rejects a scale that is not a small whole number', () => {
    const image = createRasterImage(5, 7);
    expect(() => drawText(image, 'a', 0, 0, WHITE, 1.5)).toThrow(AnnotateError);
    expect(() => drawText(image, 'a', 0, 0, WHITE, 0)).toThrow(/scale/);
  });
});

describe('drawLabel', () => {
  it('fills its box and renders text pixels only inside it', () => {
    const image = createRasterImage(120, 40);
    const box = drawLabel(image, '#7 person 0.91', 10, 5, { textColor: WHITE, background: BLUE, scale: 1, padding: 2 });
    const size = measureLabel('#7 person 0.91', { scale: 1, padding: 2 });
    expect(box).toEqual([10, 5, 10 + size.width, 5 + size.height]);
    const [x1, y1, x2, y2] = box;
    for (const [x, y] of changedPixels(image, [0, 0, 0])) {
      expect(x >= x1 && x < x2 && y >= y1 && y < y2, `pixel ${x},${y} outside the label`).toBe(true);
    }
    let text = 0;
    let background = 0;
    for (let y = y1; y < y2; y++) {
      for (let x = x1; x < x2; x++) {
        const p = getPixel(image, x, y);
        if (p[0] === 255 && p[1] === 255 && p[2] === 255) text++;
        else if (p[0] === 0 && p[1] === 0 && p[2] === 255) background++;
      }
    }
    expect(text).toBeGreaterThan(50);
    expect(background + text).toBe(size.width * size.height);
    // The padding rows and columns stay background.
    expect(getPixel(image, x1, y1)).toEqual(BLUE);
    expect(getPixel(image, x2 - 1, y2 - 1)).toEqual(BLUE);
  });
});
