import { getPixel, type RasterImage, type Rgb } from '../../src/annotate/index.js';

/** The image as rows of '#' (pixel has `ink`) and '.' (anything else), for exact pixel assertions. */
export function inkMask(image: RasterImage, ink: Rgb): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = '';
    for (let x = 0; x < image.width; x++) {
      const p = getPixel(image, x, y);
      row += p[0] === ink[0] && p[1] === ink[1] && p[2] === ink[2] ? '#' : '.';
    }
    rows.push(row);
  }
  return rows;
}

/** Pixels that differ from `background`, as [x, y] pairs. */
export function changedPixels(image: RasterImage, background: Rgb): [number, number][] {
  const changed: [number, number][] = [];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = getPixel(image, x, y);
      if (p[0] !== background[0] || p[1] !== background[1] || p[2] !== background[2]) changed.push([x, y]);
    }
  }
  return changed;
}
