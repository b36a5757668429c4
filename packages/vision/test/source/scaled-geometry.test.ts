import { describe, expect, it } from 'vitest';
import { fitGeometry } from '../../src/frame.js';
import { scaledFrameGeometry } from '../../src/source/index.js';

describe('scaledFrameGeometry', () => {
  it('agrees with fitGeometry on ordinary sizes', () => {
    for (const [sw, sh] of [[640, 360], [1280, 720], [1920, 1080], [480, 270], [333, 197], [720, 1280]] as const) {
      for (const align of ['top-left', 'center'] as const) {
        expect(scaledFrameGeometry(sw, sh, 416, 416, 'letterbox', align)).toEqual(fitGeometry(sw, sh, 416, 416, 'letterbox', align));
      }
      expect(scaledFrameGeometry(sw, sh, 352, 352, 'stretch', 'top-left')).toEqual(fitGeometry(sw, sh, 352, 352, 'stretch'));
    }
  });

  it("rounds half pixels up like ffmpeg's av_rescale", () => {
    expect(scaledFrameGeometry(150, 1920, 352, 352, 'letterbox', 'center')).toEqual({
      scaleX: 28 / 150,
      scaleY: 352 / 1920,
      padX: 162,
      padY: 0,
    });
  });
});
