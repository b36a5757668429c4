import type { FastifyInstance } from 'fastify';
import { HubSettingsSchema, UpdateHubSettingsRequestSchema } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { Principal } from '../../auth/principal.js';
import type { HubSettingsService } from '../../settings/hub-settings.js';
import { defineRoute } from '../define-route.js';

/** Who changed a setting, for people: the user's name, or the API key's. */
async function nameOf(ctx: HubContext, principal: Principal | undefined): Promise<string | null> {
  if (!principal) return null;
  if (principal.userId) {
    const user = (await ctx.store.listUsers()).find((u) => u.id === principal.userId);
    if (user) return user.username;
  }
  const key = await ctx.store.getApiKey(principal.keyId);
  return key ? `API key "${key.name}"` : null;
}

export function registerSettingsRoutes(app: FastifyInstance, ctx: HubContext, settings: HubSettingsService): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/settings',
    auth: 'read',
    summary: "The hub's run-time settings (event retention, ICE servers for live video) with where each value comes from, and the recordings budget",
    tags: ['settings'],
    response: HubSettingsSchema,
    handler: () => settings.view(),
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/v1/settings',
    auth: 'admin',
    summary: 'Change settings; they are stored and take effect at once (retention runs again; new live connections use the new ICE servers)',
    tags: ['settings'],
    body: UpdateHubSettingsRequestSchema,
    response: HubSettingsSchema,
    handler: async ({ body, principal }) => settings.update(body, await nameOf(ctx, principal)),
  });
}
