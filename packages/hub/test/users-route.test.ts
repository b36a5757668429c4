import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse, MeResponse, User } from '@sightline/protocol';
import { startTestHub, type TestHub } from './support/test-hub.js';

describe('users and roles', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('an admin adds users with a role; each signs in with the scope of that role, which the API enforces', async () => {
    const created = await hub.call<User>('POST', '/api/v1/users', { body: { username: 'olga', password: 'operator password', role: 'operator' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'olga', role: 'operator' });
    expect(JSON.stringify(created.body)).not.toContain('password');
    const listed = await hub.call<User[]>('GET', '/api/v1/users');
    expect(listed.body.map((u) => `${u.username}:${u.role}`).sort()).toEqual(['admin:admin', 'olga:operator']);

    const login = await hub.call<LoginResponse>('POST', '/api/v1/auth/login', { token: null, body: { username: 'olga', password: 'operator password' } });
    expect(login.status).toBe(200);
    const operator = login.body.token;
    expect((await hub.call<MeResponse>('GET', '/api/v1/auth/me', { token: operator })).body.scope).toBe('operate');
    // Operators edit cameras but do not manage users or devices.
    expect((await hub.call('GET', '/api/v1/users', { token: operator })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/users', { token: operator, body: { username: 'x', password: 'x password', role: 'admin' } })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/devices', { token: operator, body: { id: 'd' } })).status).toBe(403);
  });

  it('refuses a taken name, a short password and an unknown role, naming the field', async () => {
    const taken = await hub.call<{ error: { code: string; field: string } }>('POST', '/api/v1/users', { body: { username: 'admin', password: 'another password', role: 'viewer' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'conflict', field: 'username' });
    const short = await hub.call<{ error: { field: string } }>('POST', '/api/v1/users', { body: { username: 'vic', password: 'short', role: 'viewer' } });
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('password');
    const role = await hub.call<{ error: { field: string } }>('POST', '/api/v1/users', { body: { username: 'vic', password: 'long enough', role: 'root' } });
    expect(role.status).toBe(400);
    expect(role.body.error.field).toBe('role');
  });

  it('a demotion takes effect at once, removal ends every session of the user, and the last admin stays', async () => {
    const created = await hub.call<User>('POST', '/api/v1/users', { body: { username: 'dana', password: 'admin password', role: 'admin' } });
    const token = (await hub.call<LoginResponse>('POST', '/api/v1/auth/login', { token: null, body: { username: 'dana', password: 'admin password' } })).body.token;
    expect((await hub.call('GET', '/api/v1/users', { token })).status).toBe(200);
    // Demoted: the admin session is revoked (a new sign-in gets the viewer's scope).
    const demoted = await hub.call<User>('PATCH', `/api/v1/users/${created.body.id}`, { body: { role: 'viewer' } });
    expect(demoted.body.role).toBe('viewer');
    expect((await hub.call('GET', '/api/v1/users', { token })).status).toBe(401);
    const again = (await hub.call<LoginResponse>('POST', '/api/v1/auth/login', { token: null, body: { username: 'dana', password: 'admin password' } })).body.token;
    expect((await hub.call<MeResponse>('GET', '/api/v1/auth/me', { token: again })).body.scope).toBe('read');
    // Removed: the session stops working and the name is free again.
    expect((await hub.call('DELETE', `/api/v1/users/${created.body.id}`)).status).toBe(204);
    expect((await hub.call('GET', '/api/v1/auth/me', { token: again })).status).toBe(401);
    expect((await hub.call('DELETE', `/api/v1/users/${created.body.id}`)).status).toBe(404);
    // The only admin can neither demote nor remove themselves.
    const admin = (await hub.call<User[]>('GET', '/api/v1/users')).body.find((u) => u.role === 'admin')!;
    expect((await hub.call('PATCH', `/api/v1/users/${admin.id}`, { body: { role: 'viewer' } })).status).toBe(409);
    expect((await hub.call('DELETE', `/api/v1/users/${admin.id}`)).status).toBe(409);
  });
});
