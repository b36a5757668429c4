import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  CreateApiKeyRequestSchema,
  ApiKeyCreatedSchema,
  ApiKeySchema,
  LoginRequestSchema,
  LoginResponseSchema,
  SetupRequestSchema,
  SetupResponseSchema,
  MeResponseSchema,
  newId,
  type ApiKey,
  type ApiKeyCreated,
} from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { ApiKeyRow, Scope, UserRow } from '../../store/store.js';
import { defineRoute } from '../define-route.js';
import { hashPassword, verifyPassword } from '../../auth/secrets.js';
import { newApiKeyToken } from '../../auth/api-key-token.js';
import { scopeOfRole } from '../../auth/principal.js';
import { ApiError, notFound } from '../api-error.js';
import { SESSION_COOKIE } from '../credentials.js';

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export const toUser = (u: UserRow) => ({ id: u.id, username: u.username, role: u.role, createdAt: u.createdAt });

async function issueKey(ctx: HubContext, name: string, scope: Scope, userId: string | null, expiresAt: number | null): Promise<ApiKeyCreated> {
  const { id, token, secretHash } = newApiKeyToken();
  const row: ApiKeyRow = { id, name, scope, secretHash, userId, createdAt: Date.now(), expiresAt, revokedAt: null, lastUsedAt: null };
  await ctx.store.createApiKey(row);
  return { ...toApiKey(row), key: token };
}

function setSessionCookie(reply: FastifyReply, token: string, maxAgeMs: number): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}`);
}

export function registerAuthRoutes(app: FastifyInstance, ctx: HubContext): void {
  let setupChain: Promise<unknown> = Promise.resolve();

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/setup',
    auth: 'self',
    summary: 'Create the first admin (only while the hub has no user); returns an admin API key',
    tags: ['auth'],
    body: SetupRequestSchema,
    response: SetupResponseSchema,
    status: 201,
    handler: async ({ body, reply }) => {
      // Serialised so two simultaneous first-run requests cannot both become admin.
      const run = setupChain.then(async () => {
        if ((await ctx.store.countUsers()) > 0) {
          throw new ApiError(403, 'setup_complete', 'the hub already has an admin; sign in instead');
        }
        const user: UserRow = { id: newId(), username: body.username, passwordHash: await hashPassword(body.password), role: 'admin', createdAt: Date.now() };
        await ctx.store.createUser(user);
        const apiKey = await issueKey(ctx, 'bootstrap admin key', 'admin', user.id, null);
        ctx.log.info({ username: user.username }, 'first admin created');
        return { user: toUser(user), apiKey };
      });
      setupChain = run.catch(() => {});
      const result = await run;
      setSessionCookie(reply, result.apiKey.key, ctx.sessionTtlMs);
      return result;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/auth/login',
    auth: 'self',
    summary: 'Sign in with a username and password; returns a session token (also set as a cookie)',
    tags: ['auth'],
    body: LoginRequestSchema,
    response: LoginResponseSchema,
    handler: async ({ body, reply }) => {
      const user = await ctx.store.getUserByName(body.username);
      if (!user || !(await verifyPassword(body.password, user.passwordHash))) {
        throw new ApiError(401, 'invalid_credentials', 'wrong username or password');
      }
      const expiresAt = Date.now() + ctx.sessionTtlMs;
      const key = await issueKey(ctx, `session ${user.username}`, scopeOfRole(user.role), user.id, expiresAt);
      setSessionCookie(reply, key.key, ctx.sessionTtlMs);
      return { user: toUser(user), token: key.key, expiresAt };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/auth/logout',
    auth: 'read',
    summary: 'Revoke the session token used for this call',
    tags: ['auth'],
    status: 204,
    handler: async ({ principal, reply }) => {
      await ctx.store.revokeApiKey(principal!.keyId, Date.now());
      void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/auth/me',
    auth: 'read',
    summary: 'The caller: its user (for session tokens) and scope',
    tags: ['auth'],
    response: MeResponseSchema,
    handler: async ({ principal }) => {
      const users = principal!.userId ? await findUserById(ctx, principal!.userId) : undefined;
      return { user: users ? toUser(users) : null, scope: principal!.scope };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/api-keys',
    auth: 'admin',
    summary: 'List API keys (never their secrets)',
    tags: ['auth'],
    response: z.array(ApiKeySchema),
    handler: async () => (await ctx.store.listApiKeys()).map(toApiKey),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/api-keys',
    auth: 'admin',
    summary: 'Create a scoped API key; the secret is returned once',
    tags: ['auth'],
    body: CreateApiKeyRequestSchema,
    response: ApiKeyCreatedSchema,
    status: 201,
    handler: async ({ body, principal }) => {
      const expiresAt = body.expiresInDays ? Date.now() + body.expiresInDays * 86_400_000 : null;
      return issueKey(ctx, body.name, body.scope, principal!.userId, expiresAt);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/api-keys/:id',
    auth: 'admin',
    summary: 'Revoke an API key',
    tags: ['auth'],
    params: z.object({ id: z.string().min(1).max(64) }),
    status: 204,
    handler: async ({ params }) => {
      if (!(await ctx.store.revokeApiKey(params.id, Date.now()))) throw notFound('api key', params.id);
    },
  });
}

async function findUserById(ctx: HubContext, id: string): Promise<UserRow | undefined> {
  // Users are people, so few: a scan is fine.
  return (await ctx.store.listUsers()).find((u) => u.id === id);
}
