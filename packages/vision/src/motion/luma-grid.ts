import type { Frame } from '../frame.js';

/** Where the picture sits inside a frame buffer (letterbox padding excluded), in buffer pixels. */
export interface PictureRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The picture area of a frame: padding never moves, so it is left out of every measurement. */
export function pictureRect(frame: Frame): PictureRect {
  const { geometry: g } = frame;
  const x = Math.min(Math.max(Math.round(g.padX), 0), frame.width - 1);
  const y = Math.min(Math.max(Math.round(g.padY), 0), frame.height - 1);
  const width = Math.max(1, Math.min(frame.width - x, Math.round(frame.sourceWidth * g.scaleX)));
  const height = Math.max(1, Math.min(frame.height - y, Math.round(frame.sourceHeight * g.scaleY)));
  return { x, y, width, height };
}

/**
 * A small grayscale copy of a frame's picture: each cell stands for a `block` × `block` square of
 * pixels and holds the mean luma of four pixels spread over it (a 2 × 2 pattern at the quarter
 * points). Four samples already beat per-pixel noise, and reading every byte of a 416 × 416 frame
 * would cost more than everything else the motion detector does together.
 */
export class LumaGrid {
  readonly columns: number;
  readonly rows: number;
  readonly block: number;
  /** Byte offsets of the four samples from a cell's top-left pixel. */
  private readonly offsets: readonly [number, number, number, number];
  private readonly rowStride: number;

  constructor(
    readonly picture: PictureRect,
    frameWidth: number,
    targetColumns: number,
  ) {
    this.block = Math.max(1, Math.floor(picture.width / targetColumns));
    this.columns = Math.max(1, Math.floor(picture.width / this.block));
    this.rows = Math.max(1, Math.floor(picture.height / this.block));
    this.rowStride = frameWidth * 3;
    const near = Math.floor(this.block / 4);
    const far = Math.floor((3 * this.block) / 4);
    this.offsets = [
      near * this.rowStride + near * 3,
      near * this.rowStride + far * 3,
      far * this.rowStride + near * 3,
      far * this.rowStride + far * 3,
    ];
  }

  get cellCount(): number {
    return this.columns * this.rows;
  }

  /**
   * Fills `out` (length `cellCount`) with luma 0-255. Luma is (R + 2G + B) / 4, which is the same
   * for rgb24 and bgr24, so the channel order does not matter.
   */
  sample(frame: Frame, out: Float32Array): void {
    const data: Uint8Array = frame.data;
    const { block, columns, rows, rowStride } = this;
    const [o1, o2, o3, o4] = this.offsets;
    const cellStep = block * 3;
    let cell = 0;
    for (let gy = 0; gy < rows; gy++) {
      let o = (this.picture.y + gy * block) * rowStride + this.picture.x * 3;
      for (let gx = 0; gx < columns; gx++, o += cellStep) {
        const a = o + o1;
        const b = o + o2;
        const c = o + o3;
        const d = o + o4;
        const sum =
          (data[a] as number) + 2 * (data[a + 1] as number) + (data[a + 2] as number) +
          (data[b] as number) + 2 * (data[b + 1] as number) + (data[b + 2] as number) +
          (data[c] as number) + 2 * (data[c + 1] as number) + (data[c + 2] as number) +
          (data[d] as number) + 2 * (data[d + 1] as number) + (data[d + 2] as number);
        out[cell++] = sum * 0.0625;
      }
    }
  }
}
