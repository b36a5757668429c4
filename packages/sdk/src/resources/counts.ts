import { CountsResponseSchema, type CountsQuery, type CountsResponse } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

export class CountsResource {
  constructor(private readonly transport: Transport) {}

  /** Event counts per time bucket, camera, type, zone or line, direction and label. */
  get(query: CountsQuery, options?: RequestOptions): Promise<CountsResponse> {
    return this.transport.json({ method: 'GET', path: '/counts', query, ...options }, CountsResponseSchema);
  }
}
