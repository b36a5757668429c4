import type { TrackState } from '@sightline/protocol';
import { AnnotateError } from './annotate-error.js';

export interface OverlayStyle {
  /** Width of box outlines, zone outlines and lines, in image pixels. */
  thickness: number;
  /** Integer magnification of the 5×7 font. */
  fontScale: number;
  /** Opacity of zone fills, 0-1. */
  zoneFillAlpha: number;
  /** Opacity of label backgrounds, 0-1. */
  labelAlpha: number;
  /** Colour boxes per track (follow one object) or per class (see kinds at a glance). */
  colorTracksBy: 'track' | 'class';
  showScores: boolean;
  /** Which track states get a box; lost tracks are predictions, not sightings, so they are left out by default. */
  trackStates: readonly TrackState[];
}

/** A style that reads well at the given image size: 2 px lines and 10×14 px glyphs at 720p, 3 px and 15×21 at 1080p. */
export function defaultOverlayStyle(width: number, height: number): OverlayStyle {
  const unit = Math.max(1, Math.round(Math.min(width, height) / 360));
  return {
    thickness: unit,
    fontScale: unit,
    zoneFillAlpha: 0.2,
    labelAlpha: 0.85,
    colorTracksBy: 'track',
    showScores: true,
    trackStates: ['confirmed', 'tentative'],
  };
}

export function resolveOverlayStyle(width: number, height: number, overrides: Partial<OverlayStyle> = {}): OverlayStyle {
  const style = { ...defaultOverlayStyle(width, height), ...stripUndefined(overrides) };
  const wholeInRange = (v: number, max: number) => Number.isInteger(v) && v >= 1 && v <= max;
  const fraction = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;
  const problems = [
    wholeInRange(style.thickness, 64) ? null : `thickness must be a whole number in 1..64, got ${style.thickness}`,
    wholeInRange(style.fontScale, 64) ? null : `fontScale must be a whole number in 1..64, got ${style.fontScale}`,
    fraction(style.zoneFillAlpha) ? null : `zoneFillAlpha must be in 0..1, got ${style.zoneFillAlpha}`,
    fraction(style.labelAlpha) ? null : `labelAlpha must be in 0..1, got ${style.labelAlpha}`,
  ].filter((p): p is string => p !== null);
  if (problems.length > 0) throw new AnnotateError('invalid-argument', `invalid overlay style: ${problems.join('; ')}`);
  return style;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
