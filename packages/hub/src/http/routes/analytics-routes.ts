import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  HeatmapQuerySchema,
  HeatmapSchema,
  OCCUPANCY_BUCKET_MS,
  OccupancyQuerySchema,
  OccupancyResponseSchema,
  ResourceIdSchema,
} from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';
import { ApiError, notFound } from '../api-error.js';
import { snapshotUrl } from '../../ingest/event-ingest.js';
import { OCCUPANCY_WARMUP_MS, occupancySeries } from '../../analytics/occupancy.js';
import { binHeatmap } from '../../analytics/heatmap.js';

/** The most zone entries and exits one occupancy query replays; past it the caller is asked to narrow the query. */
export const MAX_OCCUPANCY_TRANSITIONS = 500_000;
/** The most events one heatmap bins (the newest of the range). */
export const MAX_HEATMAP_EVENTS = 200_000;

/** Occupancy of zones over time and heatmaps of where objects were, both derived from the stored events. */
export function registerAnalyticsRoutes(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/occupancy',
    auth: 'read',
    summary:
      'Objects inside each zone over time, per class and in all: replayed from zone entries and exits (never below zero), per bucket the most at once, the time-weighted mean and the count at its end',
    tags: ['analytics'],
    query: OccupancyQuerySchema,
    response: OccupancyResponseSchema,
    handler: async ({ query }) => {
      const warmupFrom = Math.max(0, query.from - OCCUPANCY_WARMUP_MS);
      const transitions = await ctx.store.zoneTransitions(
        { cameraId: query.cameraId, zoneId: query.zoneId, label: query.label, from: warmupFrom, to: query.to },
        MAX_OCCUPANCY_TRANSITIONS + 1,
      );
      if (transitions.length > MAX_OCCUPANCY_TRANSITIONS) {
        throw new ApiError(
          400,
          'invalid_request',
          `more than ${MAX_OCCUPANCY_TRANSITIONS} zone entries and exits in this range: choose a shorter range, one camera or one zone`,
          'from',
        );
      }
      const bucketMs = OCCUPANCY_BUCKET_MS[query.bucket];
      const series = occupancySeries(transitions, { from: query.from, to: query.to, bucketMs, now: Date.now() });
      return { from: query.from, to: query.to, bucket: query.bucket, warmupMs: query.from - warmupFrom, transitions: transitions.length, series };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id/heatmap',
    auth: 'read',
    summary:
      "Where one camera's objects were when they produced events: each event box's anchor point (bottom-centre by default) counted in a grid over the picture, with the camera's latest frame snapshot to draw it on",
    tags: ['analytics'],
    params: z.object({ id: ResourceIdSchema }),
    query: HeatmapQuerySchema,
    response: HeatmapSchema,
    handler: async ({ params, query }) => {
      // Events outlive their camera, so a deleted camera's heatmap is still there; an id never seen is a 404.
      const [camera, latest] = await Promise.all([ctx.store.getCamera(params.id), ctx.store.latestFrameSnapshot(params.id)]);
      const boxes = await ctx.store.eventBoxes(
        { cameraId: params.id, from: query.from, to: query.to, label: query.label, type: query.type },
        MAX_HEATMAP_EVENTS + 1,
      );
      if (!camera && !latest && boxes.length === 0) throw notFound('camera', params.id);
      const truncated = boxes.length > MAX_HEATMAP_EVENTS;
      const { cells, max, total } = binHeatmap(truncated ? boxes.slice(0, MAX_HEATMAP_EVENTS) : boxes, query);
      return {
        cameraId: params.id,
        from: query.from,
        to: query.to,
        anchor: query.anchor,
        cols: query.cols,
        rows: query.rows,
        cells,
        max,
        total,
        truncated,
        background: latest
          ? { url: snapshotUrl(latest.eventId, 'frame'), width: latest.snapshot.width, height: latest.snapshot.height, wallTime: latest.wallTime }
          : null,
      };
    },
  });
}
