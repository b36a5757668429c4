import type { ObjectFilter } from '@sightline/protocol';
import { boxArea } from './geometry.js';
import type { Sighting } from './sighting.js';

/** Whether a sighting's class, confidence and size make it count for a zone or line with this filter. */
export function passesFilter(sighting: Sighting, filter: ObjectFilter): boolean {
  if (filter.classes !== undefined && !filter.classes.includes(sighting.label)) return false;
  if (sighting.confidence < filter.minConfidence) return false;
  return boxArea(sighting.bbox) >= filter.minArea;
}
