import { fittedVideoRect, objectFitOf, type Rect } from './video-fit.js';

export interface CanvasFrame {
  ctx: CanvasRenderingContext2D;
  /** The displayed picture inside the canvas, in CSS pixels (the context is already scaled for devicePixelRatio). */
  picture: Rect;
}

/**
 * A transparent canvas laid exactly over a <video>'s content box, with a backing store of devicePixelRatio times
 * its CSS size so that lines stay sharp on high-density screens. It is positioned by measuring, so it follows the
 * video whatever the page's layout is; a `position: relative` wrapper around the video keeps it simple.
 */
export class OverlayCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly video: HTMLVideoElement) {
    const canvas = video.ownerDocument.createElement('canvas');
    canvas.className = 'sightline-overlay';
    Object.assign(canvas.style, { position: 'absolute', left: '0px', top: '0px', pointerEvents: 'none', margin: '0', border: '0', padding: '0' });
    video.insertAdjacentElement('afterend', canvas);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas context');
    this.canvas = canvas;
    this.ctx = ctx;
  }

  /** Follows the video's position, size and object-fit, clears, and returns the context to draw a frame with. */
  begin(): CanvasFrame {
    const { video, canvas, ctx } = this;
    const style = getComputedStyle(video);
    const padLeft = parseFloat(style.paddingLeft) || 0;
    const padTop = parseFloat(style.paddingTop) || 0;
    const width = Math.max(0, video.clientWidth - padLeft - (parseFloat(style.paddingRight) || 0));
    const height = Math.max(0, video.clientHeight - padTop - (parseFloat(style.paddingBottom) || 0));
    const videoBox = video.getBoundingClientRect();
    const canvasBox = canvas.getBoundingClientRect();
    // Move by the measured difference: right whatever the canvas's containing block is (no transforms assumed).
    const left = (parseFloat(canvas.style.left) || 0) + videoBox.left + video.clientLeft + padLeft - canvasBox.left;
    const top = (parseFloat(canvas.style.top) || 0) + videoBox.top + video.clientTop + padTop - canvasBox.top;
    if (Math.abs(left - (parseFloat(canvas.style.left) || 0)) > 0.01) canvas.style.left = `${left}px`;
    if (Math.abs(top - (parseFloat(canvas.style.top) || 0)) > 0.01) canvas.style.top = `${top}px`;
    if (canvas.style.width !== `${width}px`) canvas.style.width = `${width}px`;
    if (canvas.style.height !== `${height}px`) canvas.style.height = `${height}px`;
    const dpr = globalThis.devicePixelRatio > 0 ? globalThis.devicePixelRatio : 1;
    const pixelWidth = Math.round(width * dpr);
    const pixelHeight = Math.round(height * dpr);
    // Resizing the backing store clears it; setting the same size would too, so only on change.
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(pixelWidth / (width || 1), 0, 0, pixelHeight / (height || 1), 0, 0);
    const picture = fittedVideoRect({ width, height }, { width: video.videoWidth, height: video.videoHeight }, objectFitOf(style.objectFit));
    return { ctx, picture };
  }

  clear(): void {
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  remove(): void {
    this.canvas.remove();
  }
}
