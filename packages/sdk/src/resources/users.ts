import { z } from 'zod';
import { UserSchema, type CreateUserRequest, type UpdateUserRequest, type User } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const UserListSchema = z.array(UserSchema);

/** Users and their roles (admin only): viewers watch and play, operators also edit cameras, admins manage the hub. */
export class UsersResource {
  constructor(private readonly transport: Transport) {}

  list(options?: RequestOptions): Promise<User[]> {
    return this.transport.json({ method: 'GET', path: '/users', ...options }, UserListSchema);
  }

  create(request: CreateUserRequest, options?: RequestOptions): Promise<User> {
    return this.transport.json({ method: 'POST', path: '/users', body: request, ...options }, UserSchema);
  }

  /** A demotion ends their sessions and keys beyond the new role at once. */
  update(id: string, request: UpdateUserRequest, options?: RequestOptions): Promise<User> {
    return this.transport.json({ method: 'PATCH', path: `/users/${encodeURIComponent(id)}`, body: request, ...options }, UserSchema);
  }

  /** Their sign-in sessions and API keys stop working at once. */
  remove(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: `/users/${encodeURIComponent(id)}`, ...options });
  }
}
