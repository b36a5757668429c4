import type { Box } from '@sightline/protocol';
import type { BoxMeasurement } from './kalman-filter.js';

/** [x1, y1, x2, y2] → (cx, cy, width / height, height), the Kalman filter's measurement space. */
export function boxToMeasurement(box: Box): BoxMeasurement {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  return [box[0] + w / 2, box[1] + h / 2, w / h, h];
}

/** The box described by the first four entries of a Kalman mean (cx, cy, aspect, height). */
export function measurementToBox(mean: ArrayLike<number>): Box {
  const h = mean[3]!;
  const w = mean[2]! * h;
  const cx = mean[0]!;
  const cy = mean[1]!;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** Intersection over union of two [x1, y1, x2, y2] boxes; 0 when either is empty. */
export function intersectionOverUnion(a: Box, b: Box): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
