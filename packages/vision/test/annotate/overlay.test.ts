import { describe, expect, it } from 'vitest';
import { AnalyticsConfigSchema, type AnalyticsState, type Track } from '@sightline/protocol';
import {
  AnnotateError,
  colorForClass,
  createRasterImage,
  drawOverlay,
  getPixel,
  lineColor,
  trackColor,
  zoneColor,
  type RasterImage,
  type Rgb,
} from '../../src/annotate/index.js';
import { lineLabelText } from '../../src/annotate/overlay-lines.js';
import { zoneLabelText } from '../../src/annotate/overlay-zones.js';
import { changedPixels } from './mask.js';

const GREY: Rgb = [50, 50, 50];
const STYLE = { thickness: 2, fontScale: 1, labelAlpha: 1, zoneFillAlpha: 0.2 };

function track(overrides: Partial<Track> = {}): Track {
  return { trackId: 3, classId: 0, label: 'person', score: 0.9, box: [120, 30, 180, 90], state: 'confirmed', age: 5, ...overrides };
}

/** What the zone fill leaves on a grey pixel: the rasterizer's integer blend at weight round(0.2 × 256). */
function zoneFillOver(background: Rgb, color: Rgb): Rgb {
  const w = Math.round(0.2 * 256);
  return background.map((b, i) => (b * (256 - w) + color[i]! * w) >> 8) as unknown as Rgb;
}

const dockConfig = AnalyticsConfigSchema.parse({
  zones: [{ id: 'dock', polygon: [[0.1, 0.2], [0.5, 0.2], [0.5, 0.8], [0.1, 0.8]] }],
});

function countColor(image: RasterImage, color: Rgb, box: [number, number, number, number]): number {
  let n = 0;
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) {
      const p = getPixel(image, x, y);
      if (p[0] === color[0] && p[1] === color[1] && p[2] === color[2]) n++;
    }
  }
  return n;
}

describe('drawOverlay', () => {
  it('draws a see-through zone with its outline and a track box in their colours', () => {
    const image = createRasterImage(200, 100, GREY);
    const t = track();
    drawOverlay(image, { tracks: [t], config: dockConfig, style: STYLE });
    const zone = zoneColor({ id: 'dock' });
    // The zone spans pixels 20..99 × 20..79; its outline is 2 px on the edge lines.
    expect(getPixel(image, 60, 70)).toEqual(zoneFillOver(GREY, zone));
    expect(getPixel(image, 20, 50)).toEqual(zone);
    expect(getPixel(image, 100, 50)).toEqual(zone);
    expect(getPixel(image, 15, 50)).toEqual(GREY);
    expect(getPixel(image, 60, 85)).toEqual(GREY);

    const color = trackColor(t, { colorTracksBy: 'track' });
    expect(getPixel(image, 120, 60)).toEqual(color);
    expect(getPixel(image, 121, 60)).toEqual(color);
    expect(getPixel(image, 122, 60)).toEqual(GREY);
    expect(getPixel(image, 179, 60)).toEqual(color);
    expect(getPixel(image, 150, 89)).toEqual(color);
    expect(getPixel(image, 150, 60)).toEqual(GREY);
    // The "#3 person 0.90" label sits on the box's top edge, from its left side, in the track colour.
    expect(countColor(image, color, [120, 19, 200, 30])).toBeGreaterThan(200);
  });

  it('labels a zone with its live occupancy and leaves the rest of the frame alone', () => {
    const state: AnalyticsState = { cameraId: 'c', sourceTs: 1, occupancy: { dock: { person: 2 } }, lineCounts: {} };
    const image = createRasterImage(200, 100, GREY);
    drawOverlay(image, { tracks: [], config: dockConfig, state, style: STYLE });
    const zone = zoneColor({ id: 'dock' });
    // The label's top-left corner is the zone's top-left vertex.
    expect(countColor(image, zone, [20, 20, 60, 31])).toBeGreaterThan(150);
    for (const [x, y] of changedPixels(image, GREY)) {
      expect(x >= 20 && x <= 101 && y >= 20 && y <= 81, `pixel ${x},${y}`).toBe(true);
    }
    expect(zoneLabelText('dock', state.occupancy.dock, true)).toBe('dock: 2');
    expect(zoneLabelText('dock', { person: 2, car: 1, bus: 0 }, true)).toBe('dock: 3 (person 2, car 1)');
    expect(zoneLabelText('dock', undefined, true)).toBe('dock: 0');
    expect(zoneLabelText('dock', undefined, false)).toBe('dock');
  });

  it('points the line arrow to the "in" side, flipped by invert', () => {
    const arrowPixels = (invert: boolean) => {
      const config = AnalyticsConfigSchema.parse({ lines: [{ id: 'gate', a: [0.1, 0.5], b: [0.9, 0.5], invert }] });
      const image = createRasterImage(200, 100, GREY);
      drawOverlay(image, { tracks: [], config, style: STYLE });
      const color = lineColor({ id: 'gate' });
      expect(getPixel(image, 60, 50)).toEqual(color);
      // The arrow starts at the midpoint (100, 50) and is 30 px long at thickness 2.
      return { below: getPixel(image, 100, 77), above: getPixel(image, 100, 23), color };
    };
    const normal = arrowPixels(false);
    expect(normal.below).toEqual(normal.color);
    expect(normal.above).toEqual(GREY);
    const inverted = arrowPixels(true);
    expect(inverted.above).toEqual(inverted.color);
    expect(inverted.below).toEqual(GREY);
    expect(lineLabelText('gate', { in: 3, out: 1 }, true)).toBe('gate in 3 out 1');
  });

  it('maps source pixels and normalized shapes through a letterbox geometry', () => {
    // A 200×100 source letterboxed into 100×100: scale 0.5, 25 px bars top and bottom.
    const image = createRasterImage(100, 100, GREY);
    const geometry = { sourceWidth: 200, sourceHeight: 100, scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 25 };
    const t = track({ box: [0, 0, 200, 100], trackId: 1, label: 'car' });
    drawOverlay(image, { tracks: [t], config: { zones: [], lines: [] }, geometry, style: STYLE });
    const color = trackColor(t, { colorTracksBy: 'track' });
    expect(getPixel(image, 90, 25)).toEqual(color);
    expect(getPixel(image, 90, 74)).toEqual(color);
    expect(getPixel(image, 90, 76)).toEqual(GREY);
    expect(getPixel(image, 90, 23)).toEqual(GREY);
  });

  it('skips lost and removed tracks and can colour by class', () => {
    const image = createRasterImage(200, 100, GREY);
    drawOverlay(image, { tracks: [track({ state: 'lost' }), track({ state: 'removed' })], config: { zones: [], lines: [] } });
    expect(changedPixels(image, GREY)).toEqual([]);
    drawOverlay(image, { tracks: [track({ classId: 2 })], config: { zones: [], lines: [] }, style: { ...STYLE, colorTracksBy: 'class' } });
    expect(getPixel(image, 120, 60)).toEqual(colorForClass(2));
  });

  it('shows the whole-frame count when there are no zones or lines', () => {
    const state: AnalyticsState = { cameraId: 'c', sourceTs: 1, occupancy: { frame: { person: 4 } }, lineCounts: {} };
    const image = createRasterImage(200, 100, GREY);
    drawOverlay(image, { tracks: [], config: { zones: [], lines: [] }, state, style: STYLE });
    const changed = changedPixels(image, GREY);
    expect(changed.length).toBeGreaterThan(100);
    expect(changed.every(([x, y]) => x < 100 && y < 20)).toBe(true);
  });

  it('draws in the right channel order on a bgr24 frame', () => {
    const image = { ...createRasterImage(200, 100, GREY), pixelFormat: 'bgr24' as const };
    const t = track();
    drawOverlay(image, { tracks: [t], config: { zones: [], lines: [] }, style: STYLE });
    const [r, g, b] = trackColor(t, { colorTracksBy: 'track' });
    const o = (60 * 200 + 120) * 3;
    expect([...image.data.subarray(o, o + 3)]).toEqual([b, g, r]);
  });

  it('rejects a malformed image, geometry or style with a typed error', () => {
    const config = { zones: [], lines: [] };
    expect(() => drawOverlay({ width: 10, height: 10, data: Buffer.alloc(10) }, { tracks: [], config })).toThrow(AnnotateError);
    const image = createRasterImage(10, 10);
    const badGeometry = { sourceWidth: 0, sourceHeight: 10, scaleX: 1, scaleY: 1, padX: 0, padY: 0 };
    expect(() => drawOverlay(image, { tracks: [], config, geometry: badGeometry })).toThrow(/geometry/);
    expect(() => drawOverlay(image, { tracks: [], config, style: { thickness: 0 } })).toThrow(/thickness/);
  });
});
