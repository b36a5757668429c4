import { WHOLE_FRAME_ZONE_ID, type AnalyticsState, type Zone } from '@sightline/protocol';
import { fillPolygon, strokePolygon } from './draw-polygon.js';
import type { OverlayGeometry } from './overlay-geometry.js';
import { normalizedToImage } from './overlay-geometry.js';
import type { OverlayLabel } from './overlay-label.js';
import type { OverlayStyle } from './overlay-style.js';
import { colorForKey } from './palette.js';
import type { RasterImage, Rgb } from './raster-image.js';

export function zoneColor(zone: Pick<Zone, 'id'>): Rgb {
  return colorForKey(`zone:${zone.id}`);
}

/** Fill and outline each zone; returns the name-and-occupancy labels to draw on top. */
export function drawZones(
  image: RasterImage,
  zones: readonly Zone[],
  geometry: OverlayGeometry,
  style: OverlayStyle,
  state: AnalyticsState | undefined,
): OverlayLabel[] {
  const labels: OverlayLabel[] = [];
  for (const zone of zones) {
    const color = zoneColor(zone);
    const polygon = zone.polygon.map((p) => normalizedToImage(geometry, p));
    fillPolygon(image, polygon, color, style.zoneFillAlpha);
    strokePolygon(image, polygon, color, style.thickness);
    // Anchor the label at the top-left-most vertex: the label grows right and down from it, into the zone.
    const [x, y] = polygon.reduce((best, p) => (p[0] + p[1] < best[0] + best[1] ? p : best));
    labels.push({ text: zoneLabelText(zone.name ?? zone.id, state?.occupancy[zone.id], state !== undefined), x, y, color });
  }
  return labels;
}

/** With neither zones nor lines the analytics count the whole frame; show that count in the corner. */
export function wholeFrameLabel(state: AnalyticsState | undefined, style: OverlayStyle): OverlayLabel | null {
  const counts = state?.occupancy[WHOLE_FRAME_ZONE_ID];
  if (!counts) return null;
  const margin = style.fontScale * 4;
  return { text: zoneLabelText('in view', counts, true), x: margin, y: margin, color: [40, 40, 40] };
}

/** "dock: 3 (person 2, car 1)"; the breakdown only when more than one class is present. */
export function zoneLabelText(name: string, counts: Record<string, number> | undefined, withCount: boolean): string {
  if (!withCount) return name;
  const present = Object.entries(counts ?? {}).filter(([, n]) => n > 0);
  const total = present.reduce((sum, [, n]) => sum + n, 0);
  const breakdown = present.length > 1 ? ` (${present.map(([cls, n]) => `${cls} ${n}`).join(', ')})` : '';
  return `${name}: ${total}${breakdown}`;
}
