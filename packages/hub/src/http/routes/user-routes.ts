import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CreateUserRequestSchema, UpdateUserRequestSchema, UserSchema, newId } from '@sightline/protocol';
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

  const IdParams = z.object({ id: z.string().min(1).max(100) });
  /** The user, and a refusal for changes that would leave the hub without an administrator or lock the caller out. */
  const changeable = async (id: string, callerId: string | null, change: 'demote' | 'delete') => {
    const users = await ctx.store.listUsers();
    const user = users.find((u) => u.id === id);
    if (!user) throw new ApiError(404, 'not_found', `user "${id}" does not exist`);
    if (id === callerId) throw new ApiError(409, 'conflict', change === 'delete' ? 'you cannot remove yourself' : 'you cannot change your own role');
    if (user.role === 'admin' && users.filter((u) => u.role === 'admin').length === 1) {
      throw new ApiError(409, 'conflict', 'the hub needs at least one administrator');
    }
    return user;
  };

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/v1/users/:id',
    auth: 'admin',
    summary: "Change a user's role: their sessions and keys beyond the new role stop working at once; a promotion applies when they next sign in",
    tags: ['auth'],
    params: IdParams,
    body: UpdateUserRequestSchema,
    response: UserSchema,
    handler: async ({ params, body, principal }) => {
      const user = await changeable(params.id, principal!.userId, 'demote');
      await ctx.store.setUserRole(user.id, body.role, Date.now());
      ctx.log.info({ username: user.username, role: body.role }, 'user role changed');
      return toUser({ ...user, role: body.role });
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/users/:id',
    auth: 'admin',
    summary: 'Remove a user: their sign-in sessions and API keys stop working at once',
    tags: ['auth'],
    params: IdParams,
    status: 204,
    handler: async ({ params, principal }) => {
      const user = await changeable(params.id, principal!.userId, 'delete');
      await ctx.store.deleteUser(user.id, Date.now());
      ctx.log.info({ username: user.username }, 'user removed');
    },
  });
}
