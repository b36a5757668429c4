import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { EventFilterSchema, type StoredEvent } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';

/** Live events as Server-Sent Events; a client that falls far behind is cut off rather than buffered forever. */
export function registerEventStreamRoute(app: FastifyInstance, ctx: HubContext): void {
  // A stream never ends by itself, so the server could not close while one is open: end them all first.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/events/stream',
    auth: 'read',
    summary: 'Live events (text/event-stream, event name `sightline-event`, data: StoredEvent)',
    tags: ['events'],
    query: EventFilterSchema.omit({ from: true, to: true }).strict(),
    handler: async ({ query, request, reply }) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // HEAD (added by Fastify for every GET) gets the headers only; a stream left open would hold its socket forever.
      if (request.method === 'HEAD') {
        res.end();
        return;
      }
      open.add(res);
      res.write(': connected\n\n');
      const send = (e: StoredEvent) => {
        if (res.writableLength > 4 * 1024 * 1024) {
          request.log.warn('live event client too slow; closing its stream');
          res.destroy();
          return;
        }
        res.write(`event: sightline-event\nid: ${e.event.id}\ndata: ${JSON.stringify(e)}\n\n`);
      };
      const unsubscribe = ctx.bus.subscribe(query, send);
      const ping = setInterval(() => res.write(': ping\n\n'), ctx.streamPingMs);
      const close = () => {
        clearInterval(ping);
        unsubscribe();
        open.delete(res);
      };
      request.raw.on('close', close);
      res.on('close', close);
    },
  });
}
