import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AppSchema,
  CreateAppRequestSchema,
  CreateSessionRequestSchema,
  HostSchema,
  ResourceIdSchema,
  SpectateTokenSchema,
  StreamSessionSchema,
  UpdateAppRequestSchema,
} from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { MediaTokens } from '../../auth/media-token.js';
import { scopeAllows, type Principal } from '../../auth/principal.js';
import { sessionMediaId, type StreamingService } from '../../streaming/streaming-service.js';
import { defineRoute } from '../define-route.js';
import { tokenOf } from '../credentials.js';
import { publicUrlOf } from '../public-url.js';
import { ApiError, unauthorized } from '../api-error.js';
import { SseStreams } from '../sse-stream.js';

export interface StreamingRouteDeps {
  streaming: StreamingService;
  tokens: MediaTokens;
  spectateTokenTtlMs: number;
}

const AppParams = z.object({ id: ResourceIdSchema });
const SessionParams = z.object({ id: z.string().uuid('a session id') });
const ViewerParams = z.object({ id: z.string().uuid('a session id'), viewer: z.string().min(1).max(100) });
const SdpSchema = z.string().min(10, 'an SDP offer').max(64 * 1024);

/** A player is a sign-in user (sessions follow the user across browsers) or, for API clients, one API key. */
export const playerIdOf = (principal: Principal): string => (principal.userId ? `user:${principal.userId}` : `key:${principal.keyId}`);
const isAdmin = (principal: Principal | undefined) => principal !== undefined && scopeAllows(principal.scope, 'admin');

/**
 * Cloud streaming: the app catalogue, hosts, players' sessions, and the session media endpoints (WHIP for the host,
 * WHEP for the player and spectators). The player's WHEP connection carries its input; a spectator's does not.
 */
export function registerStreamingRoutes(app: FastifyInstance, ctx: HubContext, deps: StreamingRouteDeps): void {
  const { streaming } = deps;
  const streams = new SseStreams(app);

  /** Who is calling a session's WHEP endpoint: its player (input allowed), or a spectator. */
  const viewerRole = async (request: FastifyRequest, sessionId: string): Promise<'player' | 'spectator'> => {
    const token = tokenOf(request);
    if (deps.tokens.verify(token, sessionMediaId(sessionId), 'view')) return 'spectator';
    const principal = await ctx.principals.resolve(token);
    if (!principal) throw unauthorized();
    if (streaming.isOwner(sessionId, playerIdOf(principal))) return 'player';
    if (isAdmin(principal) && streaming.exists(sessionId)) return 'spectator';
    throw new ApiError(404, 'not_found', `session "${sessionId}" does not exist`);
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/apps',
    auth: 'read',
    summary: 'The app catalogue: what players can start',
    tags: ['streaming'],
    response: z.array(AppSchema),
    handler: async () => streaming.apps.list(),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/apps',
    auth: 'admin',
    summary: 'Add an app to the catalogue (any X11 program on the hosts)',
    tags: ['streaming'],
    body: CreateAppRequestSchema,
    response: AppSchema,
    status: 201,
    handler: async ({ body }) => streaming.apps.create(body),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/apps/:id',
    auth: 'read',
    summary: 'One app',
    tags: ['streaming'],
    params: AppParams,
    response: AppSchema,
    handler: async ({ params }) => streaming.apps.get(params.id),
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/v1/apps/:id',
    auth: 'admin',
    summary: 'Change an app; running sessions keep the settings they started with',
    tags: ['streaming'],
    params: AppParams,
    body: UpdateAppRequestSchema,
    response: AppSchema,
    handler: async ({ params, body }) => streaming.apps.update(params.id, body),
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/apps/:id',
    auth: 'admin',
    summary: 'Remove an app from the catalogue; running sessions go on',
    tags: ['streaming'],
    params: AppParams,
    status: 204,
    handler: async ({ params }) => streaming.apps.remove(params.id),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/hosts',
    auth: 'read',
    summary: 'Streaming hosts: presence, capacity, encoders, sessions (create one with POST /devices, kind "host")',
    tags: ['streaming'],
    response: z.array(HostSchema),
    handler: async () => streaming.listHosts(),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/apps/:id/sessions',
    auth: 'read',
    summary: 'Play an app: a session placed on a host with a free slot, or queued (the caller\'s running session of the app if it has one)',
    tags: ['streaming'],
    params: AppParams,
    body: CreateSessionRequestSchema,
    response: StreamSessionSchema,
    status: 201,
    handler: async ({ params, body, principal, request }) =>
      streaming.create(params.id, playerIdOf(principal!), publicUrlOf(ctx, request), { record: body.record }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/sessions',
    auth: 'read',
    summary: "The caller's sessions, newest first (admins: everyone's)",
    tags: ['streaming'],
    response: z.array(StreamSessionSchema),
    handler: async ({ principal, request }) => streaming.list(playerIdOf(principal!), isAdmin(principal), publicUrlOf(ctx, request)),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/sessions/:id',
    auth: 'read',
    summary: 'One of the caller\'s sessions',
    tags: ['streaming'],
    params: SessionParams,
    response: StreamSessionSchema,
    handler: async ({ params, principal, request }) =>
      streaming.get(params.id, playerIdOf(principal!), isAdmin(principal), publicUrlOf(ctx, request)),
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/sessions/:id',
    auth: 'read',
    summary: 'End a session (or leave the queue): the app, its display and its encoder are stopped on the host',
    tags: ['streaming'],
    params: SessionParams,
    status: 204,
    handler: async ({ params, principal }) => streaming.end(params.id, playerIdOf(principal!), isAdmin(principal)),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/sessions/:id/state',
    auth: 'self',
    summary:
      'The session as server-sent events (event `session`, data: StreamSession) at once and on every change; for its player, an admin, or a spectate token',
    tags: ['streaming'],
    params: SessionParams,
    authorize: async (request, params) => {
      await viewerRole(request, params.id);
    },
    handler: async ({ params, request, reply }) => {
      const hubUrl = publicUrlOf(ctx, request);
      await viewerRole(request, params.id);
      const first = streaming.describeById(params.id, hubUrl);
      const stream = streams.start(request, reply, { pingMs: ctx.streamPingMs, maxBufferedBytes: 256 * 1024 });
      if (!stream) return;
      stream.send('session', JSON.stringify(first));
      const listener = (session: z.infer<typeof StreamSessionSchema>) => {
        if (session.id === params.id) stream.send('session', JSON.stringify({ ...session, whepUrl: first.whepUrl }));
      };
      streaming.on('session', listener);
      stream.onClose(() => streaming.off('session', listener));
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/sessions/:id/recording.mp4',
    auth: 'read',
    summary: 'The recording of an ended session that was started with `record: true` (kept 24 h after it ended)',
    tags: ['streaming'],
    params: SessionParams,
    binaryResponse: { contentType: 'video/mp4', description: 'the whole session, H.264 or VP8 as streamed' },
    handler: async ({ params, principal, reply }) => {
      const file = streaming.recordingFile(params.id, playerIdOf(principal!), isAdmin(principal));
      return reply
        .type('video/mp4')
        .header('content-disposition', `attachment; filename="session-${params.id}.mp4"`)
        .send(createReadStream(file));
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/sessions/:id/spectate-token',
    auth: 'read',
    summary: 'A short-lived link token to watch the session (view only, no input)',
    tags: ['streaming'],
    params: SessionParams,
    response: SpectateTokenSchema,
    status: 201,
    handler: async ({ params, principal, request }) => {
      const session = streaming.get(params.id, playerIdOf(principal!), isAdmin(principal), publicUrlOf(ctx, request));
      const { token, expiresAt } = deps.tokens.issue(sessionMediaId(params.id), 'view', deps.spectateTokenTtlMs);
      return { token, expiresAt, whepUrl: session.whepUrl };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/sessions/:id/whep',
    auth: 'self',
    summary:
      "WHEP: the session's video. With the player's own credential the connection also carries its input (data channels `input` and `pointer`); with a spectate token it is view only",
    tags: ['streaming'],
    params: SessionParams,
    body: SdpSchema,
    authorize: async (request, params) => {
      await viewerRole(request, params.id);
    },
    handler: async ({ params, body, request, reply }) => {
      const role = await viewerRole(request, params.id);
      const { viewerId, answerSdp } = role === 'player' ? await streaming.addPlayer(params.id, body) : await streaming.addSpectator(params.id, body);
      return reply.status(201).type('application/sdp').header('location', `/api/v1/sessions/${params.id}/whep/${viewerId}`).send(answerSdp);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/sessions/:id/whep/:viewer',
    auth: 'self',
    summary: 'WHEP: leave (a player may come back within the reconnect grace period)',
    tags: ['streaming'],
    params: ViewerParams,
    status: 204,
    authorize: async (request, params) => {
      await viewerRole(request, params.id);
    },
    handler: async ({ params, request }) => {
      const role = await viewerRole(request, params.id);
      if (!(await streaming.removeViewer(params.id, params.viewer, role))) throw new ApiError(404, 'not_found', 'no such viewer');
    },
  });

  const requirePublish = async (request: FastifyRequest, sessionId: string) => {
    const token = tokenOf(request);
    if (!deps.tokens.verify(token, sessionMediaId(sessionId), 'publish')) {
      throw token ? new ApiError(403, 'forbidden', `this token does not allow publishing session "${sessionId}"`) : unauthorized();
    }
  };

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/sessions/:id/whip',
    auth: 'self',
    summary: "WHIP: the host publishes a session's video (with the token from its start command)",
    tags: ['streaming'],
    params: SessionParams,
    body: SdpSchema,
    authorize: (request, params) => requirePublish(request, params.id),
    handler: async ({ params, body, reply }) => {
      const answer = await streaming.acceptPublisher(params.id, body);
      return reply.status(201).type('application/sdp').header('location', `/api/v1/sessions/${params.id}/whip/current`).send(answer);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/sessions/:id/whip/:viewer',
    auth: 'self',
    summary: 'WHIP: stop publishing',
    tags: ['streaming'],
    params: ViewerParams,
    status: 204,
    authorize: (request, params) => requirePublish(request, params.id),
    handler: async ({ params }) => {
      await streaming.removePublisher(params.id);
    },
  });
}
