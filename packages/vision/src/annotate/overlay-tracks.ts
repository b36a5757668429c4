import type { Track } from '@sightline/protocol';
import { strokeRect } from './draw-rect.js';
import { sourceBoxToImage, type OverlayGeometry } from './overlay-geometry.js';
import { overlayLabelSize, type OverlayLabel } from './overlay-label.js';
import type { OverlayStyle } from './overlay-style.js';
import { colorForClass, colorForTrack } from './palette.js';
import type { RasterImage, Rgb } from './raster-image.js';

export function trackColor(track: Pick<Track, 'trackId' | 'classId'>, style: Pick<OverlayStyle, 'colorTracksBy'>): Rgb {
  return style.colorTracksBy === 'class' ? colorForClass(track.classId) : colorForTrack(track.trackId);
}

/** Outline each track's box; returns the "#id label score" labels, placed above the box (inside it at the top edge). */
export function drawTracks(
  image: RasterImage,
  tracks: readonly Track[],
  geometry: OverlayGeometry,
  style: OverlayStyle,
): OverlayLabel[] {
  const labels: OverlayLabel[] = [];
  for (const track of tracks) {
    if (!style.trackStates.includes(track.state)) continue;
    const color = trackColor(track, style);
    const box = sourceBoxToImage(geometry, track.box);
    strokeRect(image, box, color, style.thickness);
    const text = trackLabelText(track, style.showScores);
    const { height } = overlayLabelSize(text, style);
    const above = box[1] - height;
    labels.push({ text, x: box[0], y: above >= 0 ? above : box[1], color });
  }
  return labels;
}

export function trackLabelText(track: Pick<Track, 'trackId' | 'label' | 'score'>, showScore: boolean): string {
  return showScore ? `#${track.trackId} ${track.label} ${track.score.toFixed(2)}` : `#${track.trackId} ${track.label}`;
}
