import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ClipQuerySchema,
  EventClipQuerySchema,
  RecordingListQuerySchema,
  RecordingListSchema,
  RecordingSegmentUploadSchema,
  RecordingTokenSchema,
  RecordingUploadResultSchema,
  ResourceIdSchema,
} from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { MediaTokens } from '../../auth/media-token.js';
import type { RecordingService } from '../../recordings/recording-service.js';
import { scopeAllows } from '../../auth/principal.js';
import { defineRoute } from '../define-route.js';
import { tokenOf } from '../credentials.js';
import { ApiError, forbidden, notFound, unauthorized } from '../api-error.js';
import { sendFileWithRanges } from '../byte-range.js';

export interface RecordingRouteDeps {
  recordings: RecordingService;
  tokens: MediaTokens;
  /** How long a recordings token lasts; a player keeps using it for every seek of a clip. */
  tokenTtlMs: number;
}

const CameraParams = z.object({ id: ResourceIdSchema });
const EventParams = z.object({ id: z.string().uuid() });
const UploadQuerySchema = RecordingSegmentUploadSchema.omit({ id: true }).strict();
const Mp4ContentTypeSchema = z.string().regex(/^video\/mp4\s*(;.*)?$/i, 'video/mp4');
const ContentLengthSchema = z.coerce.number().int().nonnegative().optional();

/**
 * Recordings: devices upload segments (device credentials), people list them and play or download clips. Clips are
 * fetched by <video> elements, which cannot send headers: they take a short-lived `recordings` token for the camera
 * in `?access_token=`, or any credential with the read scope (the console's session cookie).
 */
export async function registerRecordingRoutes(app: FastifyInstance, ctx: HubContext, deps: RecordingRouteDeps): Promise<void> {
  const requireRecordings = async (request: FastifyRequest, cameraId: () => Promise<string | undefined>) => {
    const token = tokenOf(request);
    if (!token) throw unauthorized();
    const principal = await ctx.principals.resolve(token);
    if (principal && scopeAllows(principal.scope, 'read')) return;
    const camera = token.startsWith('mt_') ? await cameraId() : undefined;
    if (camera !== undefined && deps.tokens.verify(token, camera, 'recordings')) return;
    throw forbidden('this token does not allow the recordings of this camera');
  };

  // A scope of its own, so only this route's requests have their video/mp4 body passed through as a stream.
  await app.register(async (scope) => {
    scope.addContentTypeParser('video/mp4', (_request, payload, done) => done(null, payload));

    defineRoute(scope, {
      method: 'PUT',
      url: '/api/v1/recordings/segments/:id',
      auth: 'device',
      summary:
        "Upload one recording segment (a self-contained fragmented MP4) of one of the device's cameras: 201 when stored, 200 (stored: false) when the id was already stored",
      tags: ['recordings'],
      params: z.object({ id: z.string().uuid() }),
      query: UploadQuerySchema,
      binaryBody: { contentType: 'video/mp4', description: `The segment's bytes, at most ${deps.recordings.maxSegmentBytes} bytes` },
      response: RecordingUploadResultSchema,
      status: 201,
      handler: async ({ params, query, device, request, reply }) => {
        if (!Mp4ContentTypeSchema.safeParse(request.headers['content-type']).success || !(request.body instanceof Readable)) {
          throw new ApiError(415, 'unsupported_media_type', 'send the segment as the raw body with Content-Type: video/mp4');
        }
        const length = ContentLengthSchema.safeParse(request.headers['content-length']);
        if (length.success && length.data !== undefined && length.data > deps.recordings.maxSegmentBytes) {
          throw new ApiError(413, 'payload_too_large', `the segment is larger than ${deps.recordings.maxSegmentBytes} bytes`);
        }
        const { status, ...result } = await deps.recordings.upload(device!.deviceId, { id: params.id, ...query }, request.body);
        return reply.status(status).send(result);
      },
    });
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id/recordings',
    auth: 'read',
    summary: "A camera's recordings in a time range (at most 24 h): segments, recorded ranges and the gaps between them",
    tags: ['recordings'],
    params: CameraParams,
    query: RecordingListQuerySchema,
    response: RecordingListSchema,
    handler: async ({ params, query }) => {
      if (!(await ctx.store.getCamera(params.id))) throw notFound('camera', params.id);
      return deps.recordings.list(params.id, query.from, query.to, query.limit);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/cameras/:id/recordings-token',
    auth: 'read',
    summary: "A short-lived token for one camera's recorded video, for <video> URLs (?access_token=)",
    tags: ['recordings'],
    params: CameraParams,
    response: RecordingTokenSchema,
    status: 201,
    handler: async ({ params }) => {
      if (!(await ctx.store.getCamera(params.id))) throw notFound('camera', params.id);
      return deps.tokens.issue(params.id, 'recordings', deps.tokenTtlMs);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id/recordings/clip.mp4',
    auth: 'self',
    summary:
      'One MP4 of a time range (at most 6 h; recorded parts back to back, starting at the keyframe before `from`), with Range support for seeking',
    tags: ['recordings'],
    params: CameraParams,
    query: ClipQuerySchema,
    binaryResponse: { contentType: 'video/mp4', description: 'The clip (206 with Content-Range for a Range request)' },
    authorize: (request, params) => requireRecordings(request, () => Promise.resolve(params.id)),
    handler: async ({ params, query, request, reply }) => {
      const clip = await deps.recordings.clip(params.id, query.from, query.to);
      const name = `${params.id}-${new Date(query.from).toISOString().replace(/[:.]/g, '-')}.mp4`;
      return sendFileWithRanges(request, reply, { ...clip, contentType: 'video/mp4', disposition: disposition(name, query.download) });
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/events/:id/clip.mp4',
    auth: 'self',
    summary: "The recording around an event: from the camera's pre-roll before it to its post-roll after (\"show me this moment\")",
    tags: ['recordings'],
    params: EventParams,
    query: EventClipQuerySchema,
    binaryResponse: { contentType: 'video/mp4', description: 'The clip (206 with Content-Range for a Range request)' },
    authorize: (request, params) => requireRecordings(request, async () => (await ctx.store.getEvent(params.id))?.event.cameraId),
    handler: async ({ params, query, request, reply }) => {
      const range = await deps.recordings.eventRange(params.id);
      const clip = await deps.recordings.clip(range.cameraId, range.from, range.to);
      return sendFileWithRanges(request, reply, { ...clip, contentType: 'video/mp4', disposition: disposition(`event-${params.id}.mp4`, query.download) });
    },
  });
}

function disposition(filename: string, download: boolean | undefined): string {
  return `${download ? 'attachment' : 'inline'}; filename="${filename}"`;
}
