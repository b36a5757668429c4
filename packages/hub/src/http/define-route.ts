import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '@sightline/protocol';
import type { Scope } from '../store/store.js';
import type { Principal } from '../auth/principal.js';
import type { DevicePrincipal } from '../auth/device-auth.js';

/**
 * `scope`: what the caller's key must allow. `'self'` routes (setup, login, enroll, media) check their own credential
 * in the handler — a body token, a password, a media token — and still refuse a call without one. `'device'` routes
 * are for edge devices only: HTTP Basic with the device's MQTT id and password, checked before the body is read.
 * `'public'` routes need no credential at all; only `GET /setup/status` is one (a test keeps that list).
 */
export type RouteAuth = Scope | 'self' | 'device' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    principal?: Principal;
    device?: DevicePrincipal;
  }
}

/** A body or answer that is not JSON (video): documented in OpenAPI as binary of that media type. */
export interface BinaryDoc {
  contentType: string;
  description: string;
}

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: HTTPMethods;
  url: string;
  auth: RouteAuth;
  summary: string;
  tags: string[];
  body?: B;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  /** A raw body (the route reads `request.body` as the stream its content-type parser passed on). */
  binaryBody?: BinaryDoc;
  /** A binary answer, for the OpenAPI document. */
  binaryResponse?: BinaryDoc;
  /** For 'self' routes: checks the caller's own credential before the body is read, so an anonymous call is a 401. */
  authorize?: (request: FastifyRequest, params: z.infer<P>) => Promise<void>;
  /** Status of a successful call; 204 sends no body. */
  status?: number;
  handler: (input: {
    body: z.infer<B>;
    query: z.infer<Q>;
    params: z.infer<P>;
    principal: Principal | undefined;
    device: DevicePrincipal | undefined;
    request: FastifyRequest;
    reply: FastifyReply;
  }) => Promise<unknown>;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Like the protocol's parseOrThrow, but an unknown key (strict schemas) is named as the bad field itself. */
function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    what,
    result.error.issues.map((issue) => {
      // zod reports an unknown key on the object holding it, with an empty path for the body itself.
      const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]!] : issue.path;
      return { path: formatPath(path), message: issue.message };
    }),
  );
}

/**
 * Declares a route whose inputs are parsed with the protocol's zod schemas (so errors name the bad field in our
 * format) and whose schemas also feed the OpenAPI document.
 */
export function defineRoute<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown>(
  app: FastifyInstance,
  spec: RouteSpec<B, Q, P>,
): void {
  const status = spec.status ?? 200;
  app.route({
    method: spec.method,
    url: spec.url,
    config: { auth: spec.auth },
    schema: {
      summary: spec.summary,
      tags: spec.tags,
      ...(spec.auth === 'self' || spec.auth === 'public' ? {} : { security: [spec.auth === 'device' ? { deviceBasic: [] } : { bearer: [] }] }),
      ...(spec.body ? { body: jsonSchema(spec.body, 'input') } : {}),
      ...(spec.binaryBody
        ? { body: { type: 'string', format: 'binary', description: spec.binaryBody.description }, consumes: [spec.binaryBody.contentType] }
        : {}),
      ...(spec.query ? { querystring: jsonSchema(spec.query, 'input') } : {}),
      ...(spec.params ? { params: jsonSchema(spec.params, 'input') } : {}),
      ...(spec.response ? { response: { [status]: jsonSchema(spec.response, 'output') } } : {}),
      ...(spec.binaryResponse
        ? {
            response: {
              [status]: {
                description: spec.binaryResponse.description,
                content: { [spec.binaryResponse.contentType]: { schema: { type: 'string', format: 'binary' } } },
              },
            },
          }
        : {}),
    },
    handler: async (request, reply) => {
      const params = spec.params ? parseInput(spec.params, request.params ?? {}, 'path') : undefined;
      if (spec.authorize) await spec.authorize(request, params as z.infer<P>);
      // No body at all reads as an empty object (a call with only optional fields); a JSON `null` is a wrong body.
      const body = spec.body ? parseInput(spec.body, request.body === undefined ? {} : request.body, 'request body') : undefined;
      const { access_token: _token, ...rawQuery } = (request.query ?? {}) as Record<string, unknown>;
      const query = spec.query ? parseInput(spec.query, rawQuery, 'query') : undefined;
      const result = await spec.handler({
        body: body as z.infer<B>,
        query: query as z.infer<Q>,
        params: params as z.infer<P>,
        principal: request.principal,
        device: request.device,
        request,
        reply,
      });
      if (reply.sent) return reply;
      if (status === 204) return reply.status(204).send();
      return reply.status(status).send(result);
    },
  });
}
