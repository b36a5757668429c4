import { fitGeometry, type Frame } from './frame.js';

export interface ResizeSpec {
  width: number;
  height: number;
  resize: 'letterbox' | 'stretch';
  align?: 'top-left' | 'center';
  padValue?: number;
}

/**
 * Bilinear resize of a packed 3-channel frame in JavaScript. The frame source normally lets ffmpeg scale; this
 * is for when one decoded picture must feed two consumers at different sizes (the detector and a
 * source-resolution annotation), so both see exactly the same frame.
 */
export function resizeFrame(src: Frame, spec: ResizeSpec): Frame {
  const geometry = fitGeometry(src.width, src.height, spec.width, spec.height, spec.resize, spec.align ?? 'top-left');
  const outW = spec.width;
  const outH = spec.height;
  const out = Buffer.alloc(outW * outH * 3, spec.padValue ?? 114);
  const drawW = Math.min(outW - geometry.padX, Math.round(src.width * geometry.scaleX));
  const drawH = Math.min(outH - geometry.padY, Math.round(src.height * geometry.scaleY));

  const x0 = new Int32Array(drawW);
  const xw = new Float32Array(drawW);
  for (let x = 0; x < drawW; x++) {
    const sx = Math.min(Math.max((x + 0.5) / geometry.scaleX - 0.5, 0), src.width - 1);
    x0[x] = Math.floor(sx);
    xw[x] = sx - Math.floor(sx);
  }
  const s = src.data;
  const rowBytes = src.width * 3;
  for (let y = 0; y < drawH; y++) {
    const sy = Math.min(Math.max((y + 0.5) / geometry.scaleY - 0.5, 0), src.height - 1);
    const yA = Math.floor(sy);
    const yB = Math.min(yA + 1, src.height - 1);
    const wy = sy - yA;
    const rowA = yA * rowBytes;
    const rowB = yB * rowBytes;
    let o = ((y + geometry.padY) * outW + geometry.padX) * 3;
    for (let x = 0; x < drawW; x++) {
      const xa = x0[x]! * 3;
      const xb = Math.min(x0[x]! + 1, src.width - 1) * 3;
      const wx = xw[x]!;
      for (let c = 0; c < 3; c++) {
        const top = s[rowA + xa + c]! + (s[rowA + xb + c]! - s[rowA + xa + c]!) * wx;
        const bottom = s[rowB + xa + c]! + (s[rowB + xb + c]! - s[rowB + xa + c]!) * wx;
        out[o++] = top + (bottom - top) * wy + 0.5;
      }
    }
  }
  return {
    index: src.index,
    pts: src.pts,
    data: out,
    pixelFormat: src.pixelFormat,
    width: outW,
    height: outH,
    sourceWidth: src.sourceWidth,
    sourceHeight: src.sourceHeight,
    geometry: {
      scaleX: geometry.scaleX * src.geometry.scaleX,
      scaleY: geometry.scaleY * src.geometry.scaleY,
      padX: geometry.padX + src.geometry.padX * geometry.scaleX,
      padY: geometry.padY + src.geometry.padY * geometry.scaleY,
    },
  };
}
