/**
 * Privacy masks as a grayscale PGM picture (white where the picture must be hidden), which the encoder's filter graph
 * scales to the video and uses as the alpha of a black layer. Polygons are in normalized [0,1] coordinates, so one
 * mask fits every resolution of the camera.
 */
export type MaskPolygon = readonly (readonly [number, number])[];

export function renderPrivacyMask(polygons: readonly MaskPolygon[], width = 640, height = 360): Buffer {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii');
  const pixels = Buffer.alloc(width * height);
  for (const polygon of polygons) fillPolygon(pixels, width, height, polygon);
  return Buffer.concat([header, pixels]);
}

/** Even-odd scanline fill at pixel centres. */
function fillPolygon(pixels: Buffer, width: number, height: number, polygon: MaskPolygon): void {
  const points = polygon.map(([x, y]) => [x * width, y * height] as const);
  for (let row = 0; row < height; row++) {
    const y = row + 0.5;
    const crossings: number[] = [];
    for (let i = 0; i < points.length; i++) {
      const [x1, y1] = points[i]!;
      const [x2, y2] = points[(i + 1) % points.length]!;
      if (y1 <= y === y2 <= y) continue;
      crossings.push(x1 + ((y - y1) / (y2 - y1)) * (x2 - x1));
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil(crossings[k]! - 0.5));
      const to = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
      if (to >= from) pixels.fill(255, row * width + from, row * width + to + 1);
    }
  }
}

/**
 * The filter graph that blacks out the mask (input 1, a looped picture) on the video (input 0), then applies the
 * output scaling and rate. Ends in the label `[out]`.
 */
export function privacyMaskFilterGraph(postFilters: string[]): string {
  const post = postFilters.length > 0 ? `,${postFilters.join(',')}` : '';
  return [
    '[1:v]format=gray[maskin]',
    '[maskin][0:v]scale2ref=w=iw:h=ih[mask][base]',
    '[base]split[keep][toblack]',
    '[toblack]drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill[black]',
    '[black][mask]alphamerge[hidden]',
    `[keep][hidden]overlay=format=auto:shortest=1${post}[out]`,
  ].join(';');
}
