/**
 * Where the picture lies inside a <video> element's content box. CSS `object-fit` decides: `contain` (the default
 * for video) letterboxes, `cover` crops, `fill` stretches, `none` keeps the natural size and `scale-down` is the
 * smaller of none and contain. The picture is centred (the default `object-position: 50% 50%`).
 */
export type ObjectFit = 'contain' | 'cover' | 'fill' | 'none' | 'scale-down';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The displayed picture's rectangle in the box's coordinates; empty when either size is unknown (no video yet). */
export function fittedVideoRect(box: Size, picture: Size, fit: ObjectFit = 'contain'): Rect {
  if (!(box.width > 0 && box.height > 0 && picture.width > 0 && picture.height > 0)) return { x: 0, y: 0, width: 0, height: 0 };
  let scaleX: number;
  let scaleY: number;
  const contain = Math.min(box.width / picture.width, box.height / picture.height);
  switch (fit) {
    case 'fill':
      scaleX = box.width / picture.width;
      scaleY = box.height / picture.height;
      break;
    case 'cover':
      scaleX = scaleY = Math.max(box.width / picture.width, box.height / picture.height);
      break;
    case 'none':
      scaleX = scaleY = 1;
      break;
    case 'scale-down':
      scaleX = scaleY = Math.min(1, contain);
      break;
    default:
      scaleX = scaleY = contain;
  }
  const width = picture.width * scaleX;
  const height = picture.height * scaleY;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/** Reads a computed `object-fit` value, falling back to contain for anything unknown. */
export function objectFitOf(value: string): ObjectFit {
  return value === 'cover' || value === 'fill' || value === 'none' || value === 'scale-down' ? value : 'contain';
}

/**
 * Maps points of a source frame (`source` pixels, what overlay boxes use) onto the displayed picture. The overlay's
 * frame size may differ from the video's (analysis at the camera's size, video scaled for streaming): both cover the
 * same field of view, so mapping through normalized coordinates is right.
 */
export class FrameToDisplay {
  constructor(
    readonly source: Size,
    readonly displayed: Rect,
  ) {}

  x(sourceX: number): number {
    return this.displayed.x + (sourceX / this.source.width) * this.displayed.width;
  }

  y(sourceY: number): number {
    return this.displayed.y + (sourceY / this.source.height) * this.displayed.height;
  }

  /** A normalized (0..1) point of the frame. */
  normalized(point: readonly [number, number]): [number, number] {
    return [this.displayed.x + point[0] * this.displayed.width, this.displayed.y + point[1] * this.displayed.height];
  }
}
