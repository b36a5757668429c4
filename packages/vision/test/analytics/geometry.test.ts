import { describe, expect, it } from 'vitest';
import type { NormalizedPoint } from '@sightline/protocol';
import { anchorPoint, normalizeBox, pointInPolygon, segmentsCrossProperly, signedDistanceToLine } from '../../src/analytics/index.js';

const square: NormalizedPoint[] = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]];
// A "U": two arms joined at the bottom, with a notch between x 0.4-0.6 down to y 0.6.
const u: NormalizedPoint[] = [[0.2, 0.2], [0.4, 0.2], [0.4, 0.6], [0.6, 0.6], [0.6, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]];

describe('pointInPolygon', () => {
  it('tells inside from outside for a square', () => {
    expect(pointInPolygon([0.5, 0.5], square)).toBe(true);
    expect(pointInPolygon([0.1, 0.5], square)).toBe(false);
    expect(pointInPolygon([0.5, 0.9], square)).toBe(false);
  });

  it('handles a concave polygon, including a ray that passes through vertices', () => {
    expect(pointInPolygon([0.3, 0.4], u)).toBe(true); // left arm
    expect(pointInPolygon([0.7, 0.4], u)).toBe(true); // right arm
    expect(pointInPolygon([0.5, 0.4], u)).toBe(false); // the notch
    expect(pointInPolygon([0.5, 0.7], u)).toBe(true); // the base
    expect(pointInPolygon([0.1, 0.6], u)).toBe(false); // ray along the notch's bottom edge
    expect(pointInPolygon([0.3, 0.6], u)).toBe(true);
  });
});

describe('segmentsCrossProperly', () => {
  const a = [0.2, 0.5] as const;
  const b = [0.8, 0.5] as const;
  it('detects a crossing inside the segment', () => {
    expect(segmentsCrossProperly([0.5, 0.4], [0.5, 0.6], a, b)).toBe(true);
  });
  it('ignores crossings of the infinite line beyond the segment', () => {
    expect(segmentsCrossProperly([0.9, 0.4], [0.9, 0.6], a, b)).toBe(false);
  });
  it('ignores paths that only touch the line', () => {
    expect(segmentsCrossProperly([0.5, 0.4], [0.5, 0.5], a, b)).toBe(false);
    expect(segmentsCrossProperly([0.3, 0.5], [0.6, 0.5], a, b)).toBe(false);
  });
});

describe('signedDistanceToLine', () => {
  it('is positive on the side the documented normal points to (down for a left-to-right line)', () => {
    expect(signedDistanceToLine([0.5, 0.7], [0.2, 0.5], [0.8, 0.5])).toBeCloseTo(0.2);
    expect(signedDistanceToLine([0.5, 0.3], [0.2, 0.5], [0.8, 0.5])).toBeCloseTo(-0.2);
    // Drawn top to bottom, the normal points left.
    expect(signedDistanceToLine([0.4, 0.5], [0.5, 0.2], [0.5, 0.8])).toBeCloseTo(0.1);
  });
});

describe('boxes', () => {
  it('normalizes and clamps pixel boxes to the frame', () => {
    expect(normalizeBox([-20, 50, 700, 900], 640, 480)).toEqual([0, 50 / 480, 1, 1]);
  });
  it('picks the anchor point', () => {
    const box = [0.2, 0.2, 0.4, 0.6] as [number, number, number, number];
    const [x, y] = anchorPoint(box, 'bottom-center');
    expect(x).toBeCloseTo(0.3);
    expect(y).toBeCloseTo(0.6);
    expect(anchorPoint(box, 'center')[1]).toBeCloseTo(0.4);
    expect(anchorPoint(box, 'top-center')[1]).toBeCloseTo(0.2);
  });
});
