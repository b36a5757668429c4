import type { FastifyError, FastifyInstance } from 'fastify';
import { ValidationError } from '@sightline/protocol';
import { ApiError } from './api-error.js';
import type { ConsoleFallback } from './console-static.js';

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Fastify's own errors for malformed requests, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_request' },
};

function toBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ApiError) {
    return { status: err.statusCode, body: { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } } };
  }
  if (err instanceof ValidationError) {
    const first = err.issues[0];
    return {
      status: 400,
      body: { error: { code: 'invalid_request', message: err.message, ...(first?.path ? { field: first.path } : {}) } },
    };
  }
  const e = err as FastifyError & { code?: string };
  if (e.code && e.code in FASTIFY_CODES) {
    const mapped = FASTIFY_CODES[e.code]!;
    return { status: mapped.status, body: { error: { code: mapped.code, message: e.message } } };
  }
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, body: { error: { code: 'invalid_json', message: `request body is not valid JSON: ${e.message}` } } };
  }
  // A WebRTC offer the relay cannot answer (no video, no common codec, not an offer) is the caller's mistake.
  if (e.name === 'RelayNegotiationError' || e.name === 'MediaSignallingError') {
    return { status: 400, body: { error: { code: 'invalid_offer', message: e.message } } };
  }
  // Store errors carry their own code (conflict, not_found) and are expected outcomes, not bugs.
  if (e.code === 'conflict') return { status: 409, body: { error: { code: 'conflict', message: e.message } } };
  if (e.code === 'not_found') return { status: 404, body: { error: { code: 'not_found', message: e.message } } };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: { code: 'invalid_request', message: e.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error; see the hub log' } } };
}

/** `fallback` answers what no route did (the console's pages and files) before the JSON 404. */
export function installErrorHandler(app: FastifyInstance, fallback?: ConsoleFallback): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toBody(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.error.code, status }, body.error.message);
    void reply.status(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return;
    void reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
}
