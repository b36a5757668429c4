import { describe, expect, it } from 'vitest';
import { lineArrow } from '../src/line-arrow.js';

describe('counting line arrows', () => {
  it('points down for a line drawn left to right ("in" is moving down the picture)', () => {
    const arrow = lineArrow([0, 100], [200, 100], false, 20)!;
    expect(arrow.from).toEqual([100, 100]);
    expect(arrow.to[0]).toBeCloseTo(100);
    expect(arrow.to[1]).toBeCloseTo(120);
    // Both barbs sit behind the tip, one each side of the shaft.
    expect(arrow.head[0][1]).toBeLessThan(120);
    expect(arrow.head[1][1]).toBeLessThan(120);
    expect(Math.sign(arrow.head[0][0] - 100)).toBe(-Math.sign(arrow.head[1][0] - 100));
  });

  it('points left for a line drawn top to bottom, and the other way when inverted', () => {
    const down = lineArrow([50, 0], [50, 100], false, 10)!;
    expect(down.to[0]).toBeCloseTo(40);
    expect(down.to[1]).toBeCloseTo(50);
    const inverted = lineArrow([50, 0], [50, 100], true, 10)!;
    expect(inverted.to[0]).toBeCloseTo(60);
  });

  it('has no arrow for a line of zero length', () => {
    expect(lineArrow([1, 1], [1, 1], false, 10)).toBeUndefined();
  });
});
