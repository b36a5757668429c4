import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ResourceIdSchema, type LiveOverlayFrame } from '@sightline/protocol';
import type { LiveOverlays } from '../../live/live-overlays.js';
import { defineRoute } from '../define-route.js';
import { SseStreams } from '../sse-stream.js';

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
  const streams = new SseStreams(app);
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id/live/overlay',
    auth: 'self',
    summary: 'Live overlay metadata (text/event-stream, event `overlay`, data: LiveOverlayFrame) for a camera being watched',
    tags: ['live'],
    params: z.object({ id: ResourceIdSchema }),
    authorize: (request, params) => authorize(request, params.id),
    handler: async ({ params, request, reply }) => {
      const stream = streams.start(request, reply, { pingMs: PING_MS, maxBufferedBytes: MAX_BUFFERED_BYTES });
      if (!stream) return;
      stream.onClose(overlays.subscribe(params.id, (frame: LiveOverlayFrame) => stream.send('overlay', JSON.stringify(frame))));
    },
  });
}
