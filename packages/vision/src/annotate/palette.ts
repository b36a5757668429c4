import type { Rgb } from './raster-image.js';

/**
 * Twenty saturated colours in an order where neighbours differ strongly, so consecutive track ids look
 * different. Fixed, so a track keeps its colour across runs and machines.
 */
export const PALETTE: readonly Rgb[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
  [0, 128, 128],
  [220, 190, 255],
  [170, 110, 40],
  [255, 250, 200],
  [128, 0, 0],
  [170, 255, 195],
  [128, 128, 0],
  [255, 215, 180],
  [0, 0, 128],
  [255, 255, 255],
];

export const BLACK: Rgb = [0, 0, 0];
export const WHITE: Rgb = [255, 255, 255];

/** A stable colour per track id. */
export function colorForTrack(trackId: number): Rgb {
  return paletteAt(trackId);
}

/** A stable colour per class id. */
export function colorForClass(classId: number): Rgb {
  // Offset so class 0 (usually "person") and track 1 do not share a colour by habit.
  return paletteAt(classId + 7);
}

/** A stable colour per name (zone or line id), from a hash of the text. */
export function colorForKey(key: string): Rgb {
  // FNV-1a: tiny, well spread, and identical everywhere.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return paletteAt(hash >>> 0);
}

/** Black or white, whichever reads better on `background` (by perceived luminance). */
export function contrastingTextColor(background: Rgb): Rgb {
  const [r, g, b] = background;
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? BLACK : WHITE;
}

function paletteAt(n: number): Rgb {
  const size = PALETTE.length;
  const i = Number.isFinite(n) ? ((Math.trunc(n) % size) + size) % size : 0;
  return PALETTE[i]!;
}
