import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CreateUserRequestSchema, UserSchema, newId } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { UserRow } from '../../store/store.js';
import { hashPassword } from '../../auth/secrets.js';
import { defineRoute } from '../define-route.js';
import { ApiError } from '../api-error.js';
import { toUser } from './auth-routes.js';

/** Users besides the first admin: each signs in with a password and gets the scope of their role. */
export function registerUserRoutes(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/users',
    auth: 'admin',
    summary: 'Every user and their role',
    tags: ['auth'],
    response: z.array(UserSchema),
    handler: async () => (await ctx.store.listUsers()).map(toUser),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/users',
    auth: 'admin',
    summary: 'Add a user with a role (viewer, operator, admin)',
    tags: ['auth'],
    body: CreateUserRequestSchema,
    response: UserSchema,
    status: 201,
    handler: async ({ body }) => {
      if (await ctx.store.getUserByName(body.username)) throw new ApiError(409, 'conflict', `user "${body.username}" already exists`, 'username');
      const user: UserRow = { id: newId(), username: body.username, passwordHash: await hashPassword(body.password), role: body.role, createdAt: Date.now() };
      await ctx.store.createUser(user);
      ctx.log.info({ username: user.username, role: user.role }, 'user created');
      return toUser(user);
    },
  });
}
