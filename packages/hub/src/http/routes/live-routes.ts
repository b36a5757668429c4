import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ResourceIdSchema } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { LiveService } from '../../live/live-service.js';
import type { LiveOverlays } from '../../live/live-overlays.js';
import { registerOverlayRoute } from './overlay-route.js';
import type { MediaAction, MediaTokens } from '../../auth/media-token.js';
import { defineRoute } from '../define-route.js';
import { tokenOf } from '../credentials.js';
import { scopeAllows } from '../../auth/principal.js';
import { publicUrlOf } from '../public-url.js';
import { ApiError, unauthorized } from '../api-error.js';

const SdpSchema = z.string().min(10, 'an SDP offer').max(64 * 1024);
const CameraParams = z.object({ id: ResourceIdSchema });
const SessionParams = z.object({ id: ResourceIdSchema, session: z.string().min(1).max(100) });

export interface LiveRouteDeps {
  live: LiveService;
  overlays: LiveOverlays;
  tokens: MediaTokens;
  viewTokenTtlMs: number;
}

/**
 * WHEP for viewers and WHIP for the publishing edge. Media endpoints accept a short-lived token scoped to one camera
 * (what players and edges get) or, for viewing, an API credential with the read scope.
 */
export function registerLiveRoutes(app: FastifyInstance, ctx: HubContext, deps: LiveRouteDeps): void {
  const requireMedia = async (request: FastifyRequest, cameraId: string, action: MediaAction) => {
    const token = tokenOf(request);
    if (deps.tokens.verify(token, cameraId, action)) return;
    if (action === 'view') {
      const principal = await ctx.principals.resolve(token);
      if (principal && scopeAllows(principal.scope, 'read')) return;
    }
    throw token ? new ApiError(403, 'forbidden', `this token does not allow "${action}" on camera "${cameraId}"`) : unauthorized();
  };

  registerOverlayRoute(app, deps.overlays, (request, cameraId) => requireMedia(request, cameraId, 'view'));

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/cameras/:id/live-token',
    auth: 'read',
    summary: "A short-lived token for one camera's live media (WHEP, later HLS)",
    tags: ['live'],
    params: CameraParams,
    response: z.object({ token: z.string(), expiresAt: z.number().int(), whepUrl: z.string() }),
    status: 201,
    handler: async ({ params, request }) => {
      if (!(await ctx.store.getCamera(params.id))) throw new ApiError(404, 'not_found', `camera "${params.id}" does not exist`);
      const { token, expiresAt } = deps.tokens.issue(params.id, 'view', deps.viewTokenTtlMs);
      return { token, expiresAt, whepUrl: `${publicUrlOf(ctx, request)}/api/v1/cameras/${params.id}/whep` };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/cameras/:id/whep',
    auth: 'self',
    summary: 'WHEP: post an SDP offer (application/sdp) to watch a camera; the answer comes back with a Location',
    tags: ['live'],
    params: CameraParams,
    body: SdpSchema,
    authorize: (request, params) => requireMedia(request, params.id, 'view'),
    handler: async ({ params, body, request, reply }) => {
      const { viewerId, answerSdp } = await deps.live.addViewer(params.id, body, publicUrlOf(ctx, request));
      return reply
        .status(201)
        .type('application/sdp')
        .header('location', `/api/v1/cameras/${params.id}/whep/${viewerId}`)
        .send(answerSdp);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/cameras/:id/whep/:session',
    auth: 'self',
    summary: 'WHEP: end a viewing session',
    tags: ['live'],
    params: SessionParams,
    status: 204,
    authorize: (request, params) => requireMedia(request, params.id, 'view'),
    handler: async ({ params }) => {
      if (!(await deps.live.removeViewer(params.id, params.session))) throw new ApiError(404, 'not_found', 'no such session');
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/cameras/:id/whip',
    auth: 'self',
    summary: "WHIP: the edge publishes a camera's video (needs the camera's publish token from the hub)",
    tags: ['live'],
    params: CameraParams,
    body: SdpSchema,
    authorize: (request, params) => requireMedia(request, params.id, 'publish'),
    handler: async ({ params, body, reply }) => {
      const answer = await deps.live.acceptPublisher(params.id, body);
      return reply.status(201).type('application/sdp').header('location', `/api/v1/cameras/${params.id}/whip/current`).send(answer);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/cameras/:id/whip/:session',
    auth: 'self',
    summary: 'WHIP: stop publishing',
    tags: ['live'],
    params: SessionParams,
    status: 204,
    authorize: (request, params) => requireMedia(request, params.id, 'publish'),
    handler: async ({ params }) => {
      await deps.live.removePublisher(params.id);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id/hls/:file',
    auth: 'self',
    summary: "HLS rendition of a camera (index.m3u8, init.mp4, segments), started on the first request; play it with hls.js",
    tags: ['live'],
    params: z.object({ id: ResourceIdSchema, file: z.string().regex(/^(index\.m3u8|init\.mp4|seg\d{6}\.m4s)$/, 'index.m3u8, init.mp4 or a segment') }),
    authorize: (request, params) => requireMedia(request, params.id, 'view'),
    handler: async ({ params, request, reply }) => {
      const path = await deps.live.hlsFile(params.id, params.file, publicUrlOf(ctx, request));
      if (params.file !== 'index.m3u8') {
        return reply
          .type(params.file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment')
          .header('cache-control', 'private, max-age=60')
          .send(createReadStream(path));
      }
      // Players fetch the segments without our headers: a token given in the URL is carried into every URI.
      const token = (request.query as Record<string, unknown>).access_token;
      let playlist = await readFile(path, 'utf8');
      if (typeof token === 'string') {
        const suffix = `?access_token=${encodeURIComponent(token)}`;
        playlist = playlist
          .split('\n')
          .map((line) => (line && !line.startsWith('#') ? `${line}${suffix}` : line.replace(/URI="([^"]+)"/, `URI="$1${suffix}"`)))
          .join('\n');
      }
      return reply.type('application/vnd.apple.mpegurl').header('cache-control', 'no-cache').send(playlist);
    },
  });
}
