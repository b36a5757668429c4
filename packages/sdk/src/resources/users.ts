import { z } from 'zod';
import { UserSchema, type CreateUserRequest, type User } from '@sightline/protocol';
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
}
