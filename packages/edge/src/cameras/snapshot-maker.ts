import jpeg from 'jpeg-js';
import type { Snapshot, SightlineEvent } from '@sightline/protocol';
import type { Frame } from '@sightline/vision';

export interface SnapshotOptions {
  /** Longest side of the downscaled frame. */
  frameMaxSide: number;
  /** Longest side of an object crop. */
  cropMaxSide: number;
  quality: number;
}

const DEFAULTS: SnapshotOptions = { frameMaxSide: 320, cropMaxSide: 160, quality: 75 };

interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * JPEGs for events: a crop around the object and the whole picture downscaled, both from the analysed frame. The
 * frame buffer may be letterboxed; only the picture area is used.
 */
export class SnapshotMaker {
  private readonly options: SnapshotOptions;

  constructor(options: Partial<SnapshotOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  forEvents(frame: Frame, events: SightlineEvent[]): Snapshot[] {
    if (events.length === 0) return [];
    const picture = pictureRegion(frame);
    const whole = this.encode(frame, picture, this.options.frameMaxSide);
    const out: Snapshot[] = [];
    for (const event of events) {
      out.push({ eventId: event.id, kind: 'frame', ...whole });
      const [x1, y1, x2, y2] = event.bbox;
      const padX = (x2 - x1) * 0.1;
      const padY = (y2 - y1) * 0.1;
      const crop = clampRegion(
        {
          x: picture.x + (x1 - padX) * picture.w,
          y: picture.y + (y1 - padY) * picture.h,
          w: (x2 - x1 + 2 * padX) * picture.w,
          h: (y2 - y1 + 2 * padY) * picture.h,
        },
        picture,
      );
      if (crop.w >= 2 && crop.h >= 2) out.push({ eventId: event.id, kind: 'crop', ...this.encode(frame, crop, this.options.cropMaxSide) });
    }
    return out;
  }

  private encode(frame: Frame, region: Region, maxSide: number): { width: number; height: number; jpeg: string } {
    const scale = Math.min(1, maxSide / Math.max(region.w, region.h));
    const width = Math.max(1, Math.round(region.w * scale));
    const height = Math.max(1, Math.round(region.h * scale));
    const rgba = Buffer.alloc(width * height * 4);
    const [r, b] = frame.pixelFormat === 'rgb24' ? [0, 2] : [2, 0];
    for (let y = 0; y < height; y++) {
      const sy = Math.min(frame.height - 1, Math.floor(region.y + (y + 0.5) / scale));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(frame.width - 1, Math.floor(region.x + (x + 0.5) / scale));
        const s = (sy * frame.width + sx) * 3;
        const d = (y * width + x) * 4;
        rgba[d] = frame.data[s + r]!;
        rgba[d + 1] = frame.data[s + 1]!;
        rgba[d + 2] = frame.data[s + b]!;
        rgba[d + 3] = 255;
      }
    }
    const encoded = jpeg.encode({ data: rgba, width, height }, this.options.quality);
    return { width, height, jpeg: Buffer.from(encoded.data).toString('base64') };
  }
}

function pictureRegion(frame: Frame): Region {
  const g = frame.geometry;
  return clampRegion(
    { x: g.padX, y: g.padY, w: frame.sourceWidth * g.scaleX, h: frame.sourceHeight * g.scaleY },
    { x: 0, y: 0, w: frame.width, h: frame.height },
  );
}

function clampRegion(r: Region, bounds: Region): Region {
  const x1 = Math.max(bounds.x, r.x);
  const y1 = Math.max(bounds.y, r.y);
  const x2 = Math.min(bounds.x + bounds.w, r.x + r.w);
  const y2 = Math.min(bounds.y + bounds.h, r.y + r.h);
  return { x: x1, y: y1, w: Math.max(0, x2 - x1), h: Math.max(0, y2 - y1) };
}
