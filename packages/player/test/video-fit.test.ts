import { describe, expect, it } from 'vitest';
import { FrameToDisplay, fittedVideoRect, objectFitOf, type Rect } from '../src/video-fit.js';

function expectRect(actual: Rect, expected: Rect): void {
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(actual[key], key).toBeCloseTo(expected[key], 6);
}

describe('where the picture lies in a <video>', () => {
  it('letterboxes with object-fit: contain (bars left and right, or top and bottom)', () => {
    expectRect(fittedVideoRect({ width: 800, height: 300 }, { width: 640, height: 360 }), { x: 133.333333333, y: 0, width: 533.333333333, height: 300 });
    expectRect(fittedVideoRect({ width: 640, height: 640 }, { width: 1280, height: 720 }), { x: 0, y: 140, width: 640, height: 360 });
    expectRect(fittedVideoRect({ width: 640, height: 360 }, { width: 640, height: 360 }), { x: 0, y: 0, width: 640, height: 360 });
  });

  it('crops with cover, stretches with fill, keeps the natural size with none, and scale-down picks the smaller', () => {
    expectRect(fittedVideoRect({ width: 640, height: 640 }, { width: 1280, height: 720 }, 'cover'), { x: -248.888888889, y: 0, width: 1137.777777778, height: 640 });
    expectRect(fittedVideoRect({ width: 300, height: 300 }, { width: 640, height: 360 }, 'fill'), { x: 0, y: 0, width: 300, height: 300 });
    expectRect(fittedVideoRect({ width: 1000, height: 1000 }, { width: 640, height: 360 }, 'none'), { x: 180, y: 320, width: 640, height: 360 });
    expectRect(fittedVideoRect({ width: 1000, height: 1000 }, { width: 640, height: 360 }, 'scale-down'), { x: 180, y: 320, width: 640, height: 360 });
    expectRect(fittedVideoRect({ width: 320, height: 320 }, { width: 640, height: 360 }, 'scale-down'), { x: 0, y: 70, width: 320, height: 180 });
  });

  it('is empty until the video has a size, and reads unknown object-fit values as contain', () => {
    expectRect(fittedVideoRect({ width: 640, height: 360 }, { width: 0, height: 0 }), { x: 0, y: 0, width: 0, height: 0 });
    expectRect(fittedVideoRect({ width: 0, height: 360 }, { width: 640, height: 360 }), { x: 0, y: 0, width: 0, height: 0 });
    expect(objectFitOf('cover')).toBe('cover');
    expect(objectFitOf('')).toBe('contain');
    expect(objectFitOf('inherit')).toBe('contain');
  });

  it('maps source-frame pixels and normalized points onto the displayed picture', () => {
    // A 1920x1080 analysis frame shown in a 640x640 element: the picture is 640x360 at y = 140.
    const displayed = fittedVideoRect({ width: 640, height: 640 }, { width: 1280, height: 720 });
    const map = new FrameToDisplay({ width: 1920, height: 1080 }, displayed);
    expect([map.x(0), map.y(0)]).toEqual([0, 140]);
    expect([map.x(960), map.y(540)]).toEqual([320, 320]);
    expect([map.x(1920), map.y(1080)]).toEqual([640, 500]);
    expect(map.normalized([0.25, 1])).toEqual([160, 500]);
  });
});
