import { describe, expect, it } from 'vitest';
import { PrivacyPainter, i420Bytes, pixelateBox, rasterise, type RawPicture } from '../../src/index.js';

function picture(width: number, height: number, fill: (x: number, y: number) => number): RawPicture {
  const data = Buffer.alloc(i420Bytes(width, height), 128);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fill(x, y);
  return { pts: 0, width, height, data };
}

describe('PrivacyPainter', () => {
  it('rasterises a polygon into row spans at pixel centres', () => {
    const rows = rasterise([[[0.25, 0.25], [0.75, 0.25], [0.75, 0.75], [0.25, 0.75]]], 8, 8);
    expect(rows[1]).toEqual([]);
    expect(rows[2]).toEqual([[2, 6]]);
    expect(rows[5]).toEqual([[2, 6]]);
    expect(rows[6]).toEqual([]);
  });

  it('blacks out masked pixels (luma and chroma) and leaves the rest alone', () => {
    const p = picture(16, 16, () => 200);
    new PrivacyPainter([[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]]).paint(p, []);
    expect(p.data[5 * 16 + 3]).toBe(16);
    expect(p.data[5 * 16 + 12]).toBe(200);
    const u = 16 * 16;
    expect(p.data[u + 2 * 8 + 1]).toBe(128);
  });

  it('pixelates a box into blocks of their mean, so detail inside is gone', () => {
    const p = picture(64, 64, (x, y) => ((x + y) % 2 === 0 ? 0 : 255));
    pixelateBox(p, [8, 8, 40, 40]);
    const inside = new Set<number>();
    for (let y = 8; y < 16; y++) for (let x = 8; x < 16; x++) inside.add(p.data[y * 64 + x]!);
    expect(inside.size).toBe(1);
    expect([...inside][0]).toBeGreaterThan(100);
    expect(p.data[0]).toBe(0); // outside untouched
    expect(p.data[63 * 64 + 62]).toBe(255);
  });
});
