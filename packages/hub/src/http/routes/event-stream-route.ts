import type { FastifyInstance } from 'fastify';
import { EventFilterSchema, type StoredEvent } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';
import { SseStreams } from '../sse-stream.js';

/** Live events as Server-Sent Events; a client that falls far behind is cut off rather than buffered forever. */
export function registerEventStreamRoute(app: FastifyInstance, ctx: HubContext): void {
  const streams = new SseStreams(app);
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/events/stream',
    auth: 'read',
    summary: 'Live events (text/event-stream, event name `sightline-event`, data: StoredEvent)',
    tags: ['events'],
    query: EventFilterSchema.omit({ from: true, to: true }).strict(),
    handler: async ({ query, request, reply }) => {
      const stream = streams.start(request, reply, { pingMs: ctx.streamPingMs, maxBufferedBytes: 4 * 1024 * 1024 });
      if (!stream) return;
      const unsubscribe = ctx.bus.subscribe(query, (e: StoredEvent) => stream.send('sightline-event', JSON.stringify(e), e.event.id));
      stream.onClose(unsubscribe);
    },
  });
}
