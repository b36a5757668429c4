/**
 * Colours for overlays. A track keeps its colour for its whole life, and neighbouring ids get far-apart hues
 * (steps of the golden angle), so two people walking together stay distinguishable. Colours are opaque RGB so a
 * test can compare canvas pixels exactly.
 */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

const GOLDEN_ANGLE_DEGREES = 137.50776405003785;

/** HSL (hue in degrees, saturation and lightness 0..1) to 8-bit RGB. */
export function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 360;
  const channel = (offset: number): number => {
    const k = (offset + h * 12) % 12;
    const a = saturation * Math.min(lightness, 1 - lightness);
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return { r: channel(0), g: channel(8), b: channel(4) };
}

function hueColour(index: number, offsetDegrees: number, lightness: number): Rgb {
  return hslToRgb(offsetDegrees + index * GOLDEN_ANGLE_DEGREES, 0.9, lightness);
}

/** The colour of a track id: the same id, the same colour, on every frame and every page. */
export function trackColour(trackId: number): Rgb {
  return hueColour(trackId, 0, 0.55);
}

/** The colour of an object not tracked (yet): by class, a shade apart from track colours. */
export function classColour(classId: number): Rgb {
  return hueColour(classId, 60, 0.7);
}

/** The colour of the zone or line at `index` of the scene. */
export function sceneColour(index: number): Rgb {
  return hueColour(index, 200, 0.5);
}

export function cssColour(colour: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${colour.r}, ${colour.g}, ${colour.b})` : `rgba(${colour.r}, ${colour.g}, ${colour.b}, ${alpha})`;
}

/** Black or white, whichever reads better on `colour` (labels on a coloured background). */
export function textColourOn(colour: Rgb): string {
  const luminance = 0.2126 * colour.r + 0.7152 * colour.g + 0.0722 * colour.b;
  return luminance > 150 ? '#000' : '#fff';
}
