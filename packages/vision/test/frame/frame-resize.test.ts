import { describe, expect, it } from 'vitest';
import { bufferBoxToSource, type Frame } from '../../src/frame.js';
import { resizeFrame } from '../../src/frame-resize.js';

function solidFrame(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Frame {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(rgb(x, y), (y * width + x) * 3);
  return { index: 3, pts: 0.1, data, pixelFormat: 'rgb24', width, height, sourceWidth: width, sourceHeight: height, geometry: { scaleX: 1, scaleY: 1, padX: 0, padY: 0 } };
}

describe('resizeFrame', () => {
  it('letterboxes top-left with the pad value and keeps colours', () => {
    const src = solidFrame(64, 32, (x) => (x < 32 ? [255, 0, 0] : [0, 0, 255]));
    const out = resizeFrame(src, { width: 32, height: 32, resize: 'letterbox', padValue: 114 });
    expect(out.width).toBe(32);
    expect(out.geometry).toEqual({ scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 0 });
    const px = (x: number, y: number) => [...out.data.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3)];
    expect(px(2, 2)).toEqual([255, 0, 0]);
    expect(px(29, 10)).toEqual([0, 0, 255]);
    expect(px(5, 20)).toEqual([114, 114, 114]);
    expect(out.index).toBe(3);
  });

  it('centres when asked, and boxes map back to source pixels', () => {
    const src = solidFrame(64, 32, () => [10, 20, 30]);
    const out = resizeFrame(src, { width: 32, height: 32, resize: 'letterbox', align: 'center', padValue: 0 });
    expect(out.geometry.padY).toBe(8);
    expect([...out.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...out.data.subarray((10 * 32 + 10) * 3, (10 * 32 + 10) * 3 + 3)]).toEqual([10, 20, 30]);
    expect(bufferBoxToSource([0, 8, 32, 24], out.geometry, 64, 32)).toEqual([0, 0, 64, 32]);
  });

  it('stretches to the exact size', () => {
    const src = solidFrame(10, 20, (_x, y) => (y < 10 ? [0, 0, 0] : [200, 200, 200]));
    const out = resizeFrame(src, { width: 20, height: 10, resize: 'stretch' });
    expect(out.geometry).toEqual({ scaleX: 2, scaleY: 0.5, padX: 0, padY: 0 });
    expect(out.data[0]).toBe(0);
    expect(out.data[(9 * 20 + 19) * 3]).toBe(200);
  });
});
