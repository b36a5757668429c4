import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CountsQuerySchema,
  CountsResponseSchema,
  EventListQuerySchema,
  EventPageSchema,
  StoredEventSchema,
  type StoredEvent,
} from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { EventRow } from '../../store/store.js';
import { defineRoute } from '../define-route.js';
import { notFound } from '../api-error.js';
import { snapshotUrl } from '../../ingest/event-ingest.js';

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    event: row.event,
    deviceId: row.deviceId,
    ingestedAt: row.ingestedAt,
    snapshots: row.snapshots.map((s) => ({ kind: s.kind, width: s.width, height: s.height, url: snapshotUrl(row.event.id, s.kind) })),
  };
}

export function registerEventRoutes(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/events',
    auth: 'read',
    summary: 'Events, newest first, filtered; follow nextCursor for the next page',
    tags: ['events'],
    query: EventListQuerySchema,
    response: EventPageSchema,
    handler: async ({ query }) => {
      const page = await ctx.store.queryEvents(query);
      return { events: page.events.map(toStoredEvent), nextCursor: page.nextCursor };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/events/:id',
    auth: 'read',
    summary: 'One event',
    tags: ['events'],
    params: z.object({ id: z.string().uuid() }),
    response: StoredEventSchema,
    handler: async ({ params }) => {
      const row = await ctx.store.getEvent(params.id);
      if (!row) throw notFound('event', params.id);
      return toStoredEvent(row);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/events/:id/snapshots/:kind',
    auth: 'read',
    summary: "An event's JPEG: the object crop or the downscaled frame",
    tags: ['events'],
    params: z.object({ id: z.string().uuid(), kind: z.enum(['crop', 'frame']) }),
    handler: async ({ params, reply }) => {
      const ref = await ctx.store.getSnapshot(params.id, params.kind);
      const bytes = ref ? await ctx.blobs.get(ref.blobKey) : undefined;
      if (!bytes) throw notFound('snapshot', `${params.id}/${params.kind}`);
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400, immutable').send(bytes);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/counts',
    auth: 'read',
    summary: 'Event counts per time bucket, camera, type, zone or line (and direction), and class',
    tags: ['events'],
    query: CountsQuerySchema,
    response: CountsResponseSchema,
    handler: async ({ query }) => ({ bucket: query.bucket, points: await ctx.store.counts(query) }),
  });
}
