import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';

export function registerMetricsRoute(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/metrics',
    auth: 'read',
    summary: 'Prometheus metrics (scrape with a read-scoped key as bearer token)',
    tags: ['operations'],
    handler: async ({ reply }) => reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  });
}
