/** How a source image was fitted into the pixel buffer: source = (buffer - pad) / scale. */
export interface FrameGeometry {
  /** Buffer pixels per source pixel, horizontally and vertically (equal when letterboxed). */
  scaleX: number;
  scaleY: number;
  /** Left and top padding inside the buffer, in buffer pixels. */
  padX: number;
  padY: number;
}

/** One decoded video frame, already scaled by ffmpeg to the size the consumer asked for. */
export interface Frame {
  /** Monotonic index of the frame among those the source delivered (0, 1, 2, ...), never reset by reconnects. */
  index: number;
  /** Presentation timestamp in seconds. */
  pts: number;
  /** Packed 8-bit pixels, row-major, 3 bytes per pixel in `pixelFormat` order. */
  data: Buffer;
  pixelFormat: 'rgb24' | 'bgr24';
  width: number;
  height: number;
  /** Size of the picture as the source sent it. */
  sourceWidth: number;
  sourceHeight: number;
  geometry: FrameGeometry;
}

/** Map a box from frame-buffer pixels back to source pixels, clamped to the source frame. */
export function bufferBoxToSource(
  box: readonly [number, number, number, number],
  g: FrameGeometry,
  sourceWidth: number,
  sourceHeight: number,
): [number, number, number, number] {
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return [
    clamp((box[0] - g.padX) / g.scaleX, sourceWidth),
    clamp((box[1] - g.padY) / g.scaleY, sourceHeight),
    clamp((box[2] - g.padX) / g.scaleX, sourceWidth),
    clamp((box[3] - g.padY) / g.scaleY, sourceHeight),
  ];
}

/** The geometry of fitting a source of the given size into a buffer of the given size. */
export function fitGeometry(
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
  resize: 'letterbox' | 'stretch',
  align: 'top-left' | 'center' = 'top-left',
): FrameGeometry {
  if (resize === 'stretch') {
    return { scaleX: width / sourceWidth, scaleY: height / sourceHeight, padX: 0, padY: 0 };
  }
  const scale = Math.min(width / sourceWidth, height / sourceHeight);
  // ffmpeg rounds the scaled size to whole (even) pixels; the caller may refine geometry with exact sizes.
  const scaledW = Math.round(sourceWidth * scale);
  const scaledH = Math.round(sourceHeight * scale);
  const padX = align === 'center' ? Math.floor((width - scaledW) / 2) : 0;
  const padY = align === 'center' ? Math.floor((height - scaledH) / 2) : 0;
  return { scaleX: scaledW / sourceWidth, scaleY: scaledH / sourceHeight, padX, padY };
}
