import type { FastifyInstance } from 'fastify';
import { SetupStatusSchema } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';

/**
 * Whether the hub still needs its first administrator, for the console's first page. Public: it tells nothing that
 * `POST /setup` would not (it refuses with `setup_complete` once an admin exists).
 */
export function registerSetupStatusRoute(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/setup/status',
    auth: 'public',
    summary: 'Whether first-run setup (POST /setup) is still needed; no credential needed',
    tags: ['auth'],
    response: SetupStatusSchema,
    handler: async () => ({ needed: (await ctx.store.countUsers()) === 0 }),
  });
}
