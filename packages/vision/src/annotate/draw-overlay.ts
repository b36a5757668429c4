import type { AnalyticsConfig, AnalyticsState, Track } from '@sightline/protocol';
import { assertOverlayGeometry, identityOverlayGeometry, type OverlayGeometry } from './overlay-geometry.js';
import { drawOverlayLabel } from './overlay-label.js';
import { drawLines } from './overlay-lines.js';
import { resolveOverlayStyle, type OverlayStyle } from './overlay-style.js';
import { drawTracks } from './overlay-tracks.js';
import { drawZones, wholeFrameLabel } from './overlay-zones.js';
import { assertRasterImage, type RasterImage } from './raster-image.js';

export interface OverlayInput {
  /** Tracks of this frame, boxes in source pixels. */
  tracks: readonly Track[];
  config: Pick<AnalyticsConfig, 'zones' | 'lines'>;
  /** Live counters; without them zones and lines show their names only. */
  state?: AnalyticsState;
  /** Where the source frame sits in `image`; the image is the source frame itself when absent. */
  geometry?: OverlayGeometry;
  style?: Partial<OverlayStyle>;
}

/**
 * Draw the analytics picture in place on `image`: see-through zones with names and occupancy, counting lines
 * with their "in" arrow and counts, then each track's box and "#id label score". Labels go on last so boxes
 * never hide text.
 */
export function drawOverlay(image: RasterImage, input: OverlayInput): void {
  assertRasterImage(image);
  const geometry = input.geometry ?? identityOverlayGeometry(image.width, image.height);
  assertOverlayGeometry(geometry);
  const style = resolveOverlayStyle(image.width, image.height, input.style);
  const { zones, lines } = input.config;

  const labels = [
    ...drawZones(image, zones, geometry, style, input.state),
    ...drawLines(image, lines, geometry, style, input.state),
    ...drawTracks(image, input.tracks, geometry, style),
  ];
  if (zones.length === 0 && lines.length === 0) {
    const frameLabel = wholeFrameLabel(input.state, style);
    if (frameLabel) labels.unshift(frameLabel);
  }
  for (const label of labels) drawOverlayLabel(image, label, style);
}
