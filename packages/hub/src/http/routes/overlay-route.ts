import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ResourceIdSchema, type LiveOverlayFrame } from '@sightline/protocol';
import type { LiveOverlays } from '../../live/live-overlays.js';
import { defineRoute } from '../define-route.js';

/** A viewer this far behind is cut off: it would only ever draw stale boxes. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const PING_MS = 15_000;

/**
 * The analysis of a live camera for its viewers, as server-sent events named `overlay` (data: LiveOverlayFrame),
 * keyed by RTP timestamp so a player draws each on the picture it belongs to. Same credentials as WHEP: a camera's
 * view token (in the URL, since EventSource cannot send headers) or a read-scope API credential.
 */
export function registerOverlayRoute(
  app: FastifyInstance,
  overlays: LiveOverlays,
  authorize: (request: FastifyRequest, cameraId: string) => Promise<void>,
): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id/live/overlay',
    auth: 'self',
    summary: 'Live overlay metadata (text/event-stream, event `overlay`, data: LiveOverlayFrame) for a camera being watched',
    tags: ['live'],
    params: z.object({ id: ResourceIdSchema }),
    authorize: (request, params) => authorize(request, params.id),
    handler: async ({ params, request, reply }) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      if (request.method === 'HEAD') {
        res.end();
        return;
      }
      open.add(res);
      res.write(': connected\n\n');
      const send = (frame: LiveOverlayFrame) => {
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.destroy();
          return;
        }
        res.write(`event: overlay\ndata: ${JSON.stringify(frame)}\n\n`);
      };
      const unsubscribe = overlays.subscribe(params.id, send);
      const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
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
