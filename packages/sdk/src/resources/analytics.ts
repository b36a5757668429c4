import {
  HeatmapSchema,
  OccupancyResponseSchema,
  type Heatmap,
  type HeatmapQuery,
  type OccupancyQuery,
  type OccupancyResponse,
} from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

/** Analytics derived from the stored events: zone occupancy over time and heatmaps of where objects were. */
export class AnalyticsResource {
  constructor(private readonly transport: Transport) {}

  /** Objects inside each zone per bucket (most at once, time-weighted mean, count at the end), per class and in all. */
  occupancy(query: OccupancyQuery, options?: RequestOptions): Promise<OccupancyResponse> {
    return this.transport.json({ method: 'GET', path: '/occupancy', query, ...options }, OccupancyResponseSchema);
  }

  /** Event box anchor points of one camera binned into a grid over its picture, with its latest frame snapshot. */
  heatmap(cameraId: string, query: HeatmapQuery, options?: RequestOptions): Promise<Heatmap> {
    return this.transport.json({ method: 'GET', path: `/cameras/${encodeURIComponent(cameraId)}/heatmap`, query, ...options }, HeatmapSchema);
  }
}
