import { describe, expect, it } from 'vitest';
import {
  AnnotateError,
  createRasterImage,
  drawLine,
  fillPolygon,
  fillRect,
  getPixel,
  strokePolygon,
  strokeRect,
  type Rgb,
} from '../../src/annotate/index.js';
import { inkMask } from './mask.js';

const RED: Rgb = [255, 0, 0];

describe('createRasterImage', () => {
  it('fills with the background colour and rejects bad sizes', () => {
    const image = createRasterImage(3, 2, [1, 2, 3]);
    expect(image.data.length).toBe(18);
    expect(getPixel(image, 2, 1)).toEqual([1, 2, 3]);
    expect(() => createRasterImage(0, 2)).toThrow(AnnotateError);
    expect(() => createRasterImage(2.5, 2)).toThrow(/whole pixels/);
  });
});

describe('fillRect', () => {
  it('covers the pixels between the box edges', () => {
    const image = createRasterImage(6, 5);
    fillRect(image, [1, 1, 4, 3], RED);
    expect(inkMask(image, RED)).toEqual(['......', '.###..', '.###..', '......', '......']);
  });

  it('rounds fractional edges to the nearest pixel edge', () => {
    const image = createRasterImage(6, 3);
    fillRect(image, [0.6, 0.4, 3.4, 1.6], RED);
    expect(inkMask(image, RED)).toEqual(['.##...', '.##...', '......']);
  });

  it('blends with alpha using integer weights', () => {
    const image = createRasterImage(2, 1, [100, 100, 100]);
    fillRect(image, [0, 0, 1, 1], [200, 0, 100], 0.5);
    expect(getPixel(image, 0, 0)).toEqual([150, 50, 100]);
    expect(getPixel(image, 1, 0)).toEqual([100, 100, 100]);
  });

  it('writes colours in the byte order of a bgr24 image', () => {
    const image = { ...createRasterImage(1, 1), pixelFormat: 'bgr24' as const };
    fillRect(image, [0, 0, 1, 1], [10, 20, 30]);
    expect([...image.data]).toEqual([30, 20, 10]);
    expect(getPixel(image, 0, 0)).toEqual([10, 20, 30]);
  });
});

describe('strokeRect', () => {
  it('draws bands of the given thickness inside the box', () => {
    const image = createRasterImage(8, 7);
    strokeRect(image, [1, 1, 7, 7], RED, 2);
    expect(inkMask(image, RED)).toEqual([
      '........',
      '.######.',
      '.######.',
      '.##..##.',
      '.##..##.',
      '.######.',
      '.######.',
    ]);
  });

  it('fills a box too small for two bands', () => {
    const image = createRasterImage(4, 4);
    strokeRect(image, [0, 0, 3, 3], RED, 2);
    expect(inkMask(image, RED)).toEqual(['###.', '###.', '###.', '....']);
  });
});

describe('drawLine', () => {
  it('draws a one-pixel diagonal with Bresenham steps', () => {
    const image = createRasterImage(7, 3);
    drawLine(image, [0, 0], [6, 2], RED);
    expect(inkMask(image, RED)).toEqual(['##.....', '..###..', '.....##']);
  });

  it('includes both end points, whichever way it is drawn', () => {
    const a = createRasterImage(7, 4);
    const b = createRasterImage(7, 4);
    drawLine(a, [1, 3], [6, 0], RED);
    drawLine(b, [6, 0], [1, 3], RED);
    expect(inkMask(a, RED)[3]![1]).toBe('#');
    expect(inkMask(a, RED)[0]![6]).toBe('#');
    expect(inkMask(a, RED).join('').split('#').length - 1).toBe(6);
    expect(inkMask(b, RED).join('').split('#').length - 1).toBe(6);
  });

  it('thickens with a square brush centred on the path', () => {
    const image = createRasterImage(7, 5);
    drawLine(image, [1, 2], [5, 2], RED, 3);
    expect(inkMask(image, RED)).toEqual(['.......', '#######', '#######', '#######', '.......']);
  });

  it('draws a single point for a zero-length segment', () => {
    const image = createRasterImage(3, 3);
    drawLine(image, [1, 1], [1, 1], RED);
    expect(inkMask(image, RED)).toEqual(['...', '.#.', '...']);
  });

  it('keeps the visible part of a segment that starts far outside', () => {
    const image = createRasterImage(5, 3);
    drawLine(image, [-1e7, 1], [1e7, 1], RED);
    expect(inkMask(image, RED)).toEqual(['.....', '#####', '.....']);
  });
});

describe('polygons', () => {
  it('fills pixels whose centres are inside (even-odd rule)', () => {
    const image = createRasterImage(6, 6);
    fillPolygon(image, [[1, 1], [5, 1], [5, 5], [1, 5]], RED);
    expect(inkMask(image, RED)).toEqual(['......', '.####.', '.####.', '.####.', '.####.', '......']);
  });

  it('fills a triangle by pixel centres', () => {
    const image = createRasterImage(5, 4);
    fillPolygon(image, [[0, 0], [4, 0], [0, 4]], RED);
    expect(inkMask(image, RED)).toEqual(['###..', '##...', '#....', '.....']);
  });

  it('blends a see-through fill over the picture', () => {
    const image = createRasterImage(4, 4, [0, 0, 200]);
    fillPolygon(image, [[0, 0], [4, 0], [4, 4], [0, 4]], [200, 0, 0], 0.25);
    expect(getPixel(image, 2, 2)).toEqual([50, 0, 150]);
  });

  it('outlines every edge including the closing one', () => {
    const image = createRasterImage(5, 5);
    strokePolygon(image, [[0, 0], [4, 0], [4, 4], [0, 4]], RED);
    expect(inkMask(image, RED)).toEqual(['#####', '#...#', '#...#', '#...#', '#####']);
  });
});
