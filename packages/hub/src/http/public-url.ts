import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../hub-context.js';

/** The hub's URL as the caller reached it, unless one was configured (behind a proxy, the configured one is right). */
export function publicUrlOf(ctx: HubContext, request: FastifyRequest): string {
  if (ctx.publicUrl) return ctx.publicUrl.replace(/\/$/, '');
  return `${request.protocol}://${request.host}`;
}

export function hostnameOf(request: FastifyRequest): string {
  return request.hostname;
}
