import type { Box, Track } from '@sightline/protocol';
import { normalizeBox } from './geometry.js';

/** One observation of a track on one frame, with the box already normalized to the frame. */
export interface Sighting {
  trackId: number;
  classId: number;
  label: string;
  /** Detector score, clamped to 0-1. */
  confidence: number;
  /** Normalized [x1, y1, x2, y2], clamped to the frame. */
  bbox: Box;
  frameIndex: number;
  pts: number;
}

export function sightingOf(track: Track, frameIndex: number, pts: number, width: number, height: number): Sighting {
  return {
    trackId: track.trackId,
    classId: track.classId,
    label: track.label,
    confidence: Math.min(Math.max(track.score, 0), 1),
    bbox: normalizeBox(track.box, width, height),
    frameIndex,
    pts,
  };
}
