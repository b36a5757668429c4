export { AnnotateError, type AnnotateErrorCode } from './annotate-error.js';
export {
  createRasterImage,
  assertRasterImage,
  getPixel,
  type RasterImage,
  type Rgb,
  type PixelPoint,
  type PixelBox,
} from './raster-image.js';
export { fillRect, strokeRect } from './draw-rect.js';
export { drawLine } from './draw-line.js';
export { fillPolygon, strokePolygon } from './draw-polygon.js';
export { drawText, drawLabel, measureText, measureLabel, type LabelStyle, type TextSize } from './draw-text.js';
export { PALETTE, colorForTrack, colorForClass, colorForKey, contrastingTextColor } from './palette.js';
export {
  identityOverlayGeometry,
  overlayGeometryOfFrame,
  type OverlayGeometry,
} from './overlay-geometry.js';
export { defaultOverlayStyle, type OverlayStyle } from './overlay-style.js';
export { zoneColor } from './overlay-zones.js';
export { lineColor, lineInDirection } from './overlay-lines.js';
export { trackColor } from './overlay-tracks.js';
export { drawOverlay, type OverlayInput } from './draw-overlay.js';
export type { X264Preset } from './ffmpeg-args.js';
export { AnnotatedVideoWriter, type AnnotatedVideoWriterOptions } from './annotated-video-writer.js';
