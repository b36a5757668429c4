import type { NormalizedPoint } from '@sightline/protocol';
import type { Frame, FrameGeometry } from '../frame.js';
import { AnnotateError } from './annotate-error.js';
import type { PixelBox, PixelPoint } from './raster-image.js';

/**
 * Where the source frame sits in the image being drawn on. Track boxes are in source pixels and zones/lines in
 * fractions of the source frame; this maps both to image pixels.
 */
export interface OverlayGeometry extends FrameGeometry {
  sourceWidth: number;
  sourceHeight: number;
}

/** The geometry of drawing on the source frame itself, the usual case for an annotated video. */
export function identityOverlayGeometry(width: number, height: number): OverlayGeometry {
  return { sourceWidth: width, sourceHeight: height, scaleX: 1, scaleY: 1, padX: 0, padY: 0 };
}

/** The geometry of drawing on a decoded frame buffer, whatever size it was scaled to. */
export function overlayGeometryOfFrame(frame: Pick<Frame, 'geometry' | 'sourceWidth' | 'sourceHeight'>): OverlayGeometry {
  return { ...frame.geometry, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight };
}

export function assertOverlayGeometry(g: OverlayGeometry): void {
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  if (!positive(g.sourceWidth) || !positive(g.sourceHeight) || !positive(g.scaleX) || !positive(g.scaleY)) {
    throw new AnnotateError(
      'invalid-argument',
      `overlay geometry needs positive source size and scales, got source ${g.sourceWidth}×${g.sourceHeight}, scale ${g.scaleX}×${g.scaleY}`,
    );
  }
  if (!Number.isFinite(g.padX) || !Number.isFinite(g.padY)) {
    throw new AnnotateError('invalid-argument', `overlay geometry padding must be finite, got ${g.padX}, ${g.padY}`);
  }
}

export function sourceToImage(g: OverlayGeometry, x: number, y: number): PixelPoint {
  return [x * g.scaleX + g.padX, y * g.scaleY + g.padY];
}

export function normalizedToImage(g: OverlayGeometry, [x, y]: NormalizedPoint): PixelPoint {
  return sourceToImage(g, x * g.sourceWidth, y * g.sourceHeight);
}

export function sourceBoxToImage(g: OverlayGeometry, box: readonly [number, number, number, number]): PixelBox {
  const [x1, y1] = sourceToImage(g, box[0], box[1]);
  const [x2, y2] = sourceToImage(g, box[2], box[3]);
  return [x1, y1, x2, y2];
}
