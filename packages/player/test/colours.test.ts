import { describe, expect, it } from 'vitest';
import { classColour, cssColour, hslToRgb, sceneColour, textColourOn, trackColour } from '../src/colours.js';

const hueDistance = (a: number, b: number) => Math.min(Math.abs(a - b) % 360, 360 - (Math.abs(a - b) % 360));

describe('overlay colours', () => {
  it('converts HSL to RGB', () => {
    expect(hslToRgb(0, 1, 0.5)).toEqual({ r: 255, g: 0, b: 0 });
    expect(hslToRgb(120, 1, 0.5)).toEqual({ r: 0, g: 255, b: 0 });
    expect(hslToRgb(240, 1, 0.5)).toEqual({ r: 0, g: 0, b: 255 });
    expect(hslToRgb(-120, 1, 0.5)).toEqual({ r: 0, g: 0, b: 255 });
    expect(hslToRgb(0, 0, 1)).toEqual({ r: 255, g: 255, b: 255 });
  });

  it('gives a track the same colour every time and neighbouring ids far-apart hues', () => {
    expect(trackColour(42)).toEqual(trackColour(42));
    for (let id = 1; id < 50; id++) {
      // Consecutive ids are a golden angle (about 137.5°) apart.
      expect(hueDistance(id * 137.50776405003785, (id + 1) * 137.50776405003785)).toBeGreaterThan(100);
      expect(trackColour(id)).not.toEqual(trackColour(id + 1));
    }
    const distinct = new Set(Array.from({ length: 30 }, (_, id) => cssColour(trackColour(id + 1))));
    expect(distinct.size).toBe(30);
  });

  it('keeps class and scene colours apart from track colours, and picks readable label text', () => {
    expect(classColour(0)).not.toEqual(trackColour(0));
    expect(sceneColour(0)).not.toEqual(trackColour(0));
    expect(cssColour({ r: 1, g: 2, b: 3 })).toBe('rgb(1, 2, 3)');
    expect(cssColour({ r: 1, g: 2, b: 3 }, 0.5)).toBe('rgba(1, 2, 3, 0.5)');
    expect(textColourOn({ r: 255, g: 255, b: 0 })).toBe('#000');
    expect(textColourOn({ r: 0, g: 0, b: 160 })).toBe('#fff');
  });
});
