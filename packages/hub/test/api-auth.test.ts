import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type ApiKey, type ApiKeyCreated, type LoginResponse, type SetupResponse, type User } from '@sightline/protocol';
import { registeredRoutes, type RegisteredRoute } from '../src/http/app.js';
import { startTestHub, type ApiResponse, type TestHub } from './support/test-hub.js';
import { sleep } from './support/wait.js';

/** The routes that check their own credential (a password, a one-time token) instead of an API key. */
const SELF_ROUTES = [
  'POST /api/v1/setup',
  'POST /api/v1/auth/login',
  'POST /api/v1/enroll',
  // Media endpoints take a short-lived token scoped to one camera (or, to view, an API key).
  'POST /api/v1/cameras/:id/whep',
  'DELETE /api/v1/cameras/:id/whep/:session',
  'POST /api/v1/cameras/:id/whip',
  'DELETE /api/v1/cameras/:id/whip/:session',
  'GET /api/v1/cameras/:id/hls/:file',
  'HEAD /api/v1/cameras/:id/hls/:file',
  'GET /api/v1/cameras/:id/live/overlay',
  'HEAD /api/v1/cameras/:id/live/overlay',
  // Recorded clips, for <video> elements: a camera's recordings token (or, again, an API key).
  'GET /api/v1/cameras/:id/recordings/clip.mp4',
  'HEAD /api/v1/cameras/:id/recordings/clip.mp4',
  'GET /api/v1/events/:id/clip.mp4',
  'HEAD /api/v1/events/:id/clip.mp4',
  // Cloud streaming: the player's own credential or a spectate token (WHEP, the state stream), the host's publish token.
  'GET /api/v1/sessions/:id/state',
  'HEAD /api/v1/sessions/:id/state',
  'POST /api/v1/sessions/:id/whep',
  'DELETE /api/v1/sessions/:id/whep/:viewer',
  'POST /api/v1/sessions/:id/whip',
  'DELETE /api/v1/sessions/:id/whip/:viewer',
];

/** The routes only edge devices call, with their MQTT id and password as HTTP Basic credentials. */
const DEVICE_ROUTES = ['PUT /api/v1/recordings/segments/:id'];

/** The routes anyone may call: only whether first-run setup is needed (which POST /setup tells anyway). */
const PUBLIC_ROUTES = ['GET /api/v1/setup/status', 'HEAD /api/v1/setup/status'];

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A concrete path for a route pattern, with plausible values for its parameters. */
function pathOf(route: RegisteredRoute): string {
  return route.url
    .replace(':kind', 'crop')
    .replace(':file', 'index.m3u8')
    .replace(/:[A-Za-z]+/g, () => newId())
    .replace('*', 'index.css');
}

/** A well-formed body for the 'self' routes, so only the missing credential can explain a refusal. */
const SELF_BODIES: Record<string, unknown> = {
  '/api/v1/setup': { username: 'intruder', password: 'long enough password' },
  '/api/v1/auth/login': { username: 'admin', password: 'not the password' },
  '/api/v1/enroll': { token: 'not-a-real-enrollment-token' },
};

async function createKey(hub: TestHub, scope: 'read' | 'operate' | 'admin'): Promise<ApiKeyCreated> {
  const response = await hub.call<ApiKeyCreated>('POST', '/api/v1/api-keys', { body: { name: `${scope} key`, scope } });
  expect(response.status).toBe(201);
  return response.body;
}

describe('hub API authentication', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('refuses a second setup once an admin exists', async () => {
    const again = await hub.call('POST', '/api/v1/setup', { body: { username: 'second', password: 'another password' }, token: null });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ error: { code: 'setup_complete' } });
    // The bootstrap key is an admin key tied to the admin user.
    const me = await hub.call<{ user: User; scope: string }>('GET', '/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: hub.adminUsername, role: 'admin' }, scope: 'admin' });
  });

  it('signs in with a password, knows the caller, and signs out', async () => {
    const wrong = await hub.call('POST', '/api/v1/auth/login', { body: { username: hub.adminUsername, password: 'wrong password' }, token: null });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    const unknown = await hub.call('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'whatever it is' }, token: null });
    expect(unknown.status).toBe(401);

    const login = await hub.call<LoginResponse>('POST', '/api/v1/auth/login', {
      body: { username: hub.adminUsername, password: hub.adminPassword },
      token: null,
    });
    expect(login.status).toBe(200);
    expect(login.body.user.username).toBe(hub.adminUsername);
    expect(login.body.expiresAt).toBeGreaterThan(Date.now());
    expect(login.headers.get('set-cookie')).toContain(`sightline_token=${login.body.token}`);
    const session = login.body.token;

    const me = await hub.call<{ user: User; scope: string }>('GET', '/api/v1/auth/me', { token: session });
    expect(me.body).toMatchObject({ user: { username: hub.adminUsername }, scope: 'admin' });
    // The console authenticates with the cookie alone.
    const byCookie = await hub.call('GET', '/api/v1/auth/me', { token: null, headers: { cookie: `other=1; sightline_token=${session}` } });
    expect(byCookie.status).toBe(200);

    const logout = await hub.call('POST', '/api/v1/auth/logout', { token: session });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
    const after = await hub.call('GET', '/api/v1/auth/me', { token: session });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: { code: 'unauthorized' } });
    // Signing out one session leaves other credentials alone.
    expect((await hub.call('GET', '/api/v1/auth/me')).status).toBe(200);
  });

  it('creates, lists and revokes API keys; a revoked key is refused', async () => {
    const key = await createKey(hub, 'read');
    expect(key.key).toMatch(/^sl_/);
    expect(key).toMatchObject({ scope: 'read', revokedAt: null, expiresAt: null });
    expect((await hub.call('GET', '/api/v1/devices', { token: key.key })).status).toBe(200);

    const expiring = await hub.call<ApiKeyCreated>('POST', '/api/v1/api-keys', { body: { name: 'temp', scope: 'read', expiresInDays: 2 } });
    expect(expiring.body.expiresAt).toBeGreaterThan(Date.now() + 86_400_000);

    const list = await hub.call<ApiKey[]>('GET', '/api/v1/api-keys');
    expect(list.status).toBe(200);
    const listed = list.body.find((k) => k.id === key.id);
    expect(listed).toMatchObject({ name: 'read key', scope: 'read' });
    expect(listed?.lastUsedAt).not.toBeNull();
    // Secrets are shown once, at creation, never again.
    expect(JSON.stringify(list.body)).not.toContain(key.key.slice(-20));
    for (const k of list.body) expect(Object.keys(k)).not.toContain('key');

    expect((await hub.call('DELETE', `/api/v1/api-keys/${key.id}`)).status).toBe(204);
    const refused = await hub.call('GET', '/api/v1/devices', { token: key.key });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'unauthorized', message: expect.stringContaining('revoked') } });
    expect((await hub.call<ApiKey[]>('GET', '/api/v1/api-keys')).body.find((k) => k.id === key.id)?.revokedAt).toBeGreaterThan(0);

    const missing = await hub.call('DELETE', `/api/v1/api-keys/${newId()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('enforces scopes: read reads, operate edits cameras, only admin manages devices and keys', async () => {
    const read = await createKey(hub, 'read');
    const operate = await createKey(hub, 'operate');
    const admin = await createKey(hub, 'admin');

    const byRead = await hub.call('POST', '/api/v1/devices', { body: { id: 'scope-dev-r' }, token: read.key });
    expect(byRead.status).toBe(403);
    expect(byRead.body).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('"admin"') } });
    expect((await hub.call('POST', '/api/v1/devices', { body: { id: 'scope-dev-o' }, token: operate.key })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/devices', { body: { id: 'scope-dev' }, token: admin.key })).status).toBe(201);
    // A refused call changed nothing.
    expect((await hub.call('GET', '/api/v1/devices/scope-dev-r')).status).toBe(404);

    const camera = { deviceId: 'scope-dev', id: 'scope-cam', source: 'lavfi:testsrc' };
    expect((await hub.call('POST', '/api/v1/cameras', { body: camera, token: read.key })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/cameras', { body: camera, token: operate.key })).status).toBe(201);
    expect((await hub.call('PATCH', '/api/v1/cameras/scope-cam', { body: { fps: 2 }, token: read.key })).status).toBe(403);
    expect((await hub.call('PATCH', '/api/v1/cameras/scope-cam', { body: { fps: 2 }, token: operate.key })).status).toBe(200);
    expect((await hub.call('GET', '/api/v1/cameras/scope-cam', { token: read.key })).status).toBe(200);
    expect((await hub.call('DELETE', '/api/v1/cameras/scope-cam', { token: read.key })).status).toBe(403);
    expect((await hub.call('DELETE', '/api/v1/cameras/scope-cam', { token: operate.key })).status).toBe(204);

    expect((await hub.call('DELETE', '/api/v1/devices/scope-dev', { token: operate.key })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/devices/scope-dev/enrollment-token', { token: operate.key })).status).toBe(403);
    expect((await hub.call('GET', '/api/v1/api-keys', { token: operate.key })).status).toBe(403);
    expect((await hub.call('POST', '/api/v1/api-keys', { body: { name: 'escalate', scope: 'admin' }, token: operate.key })).status).toBe(403);
    expect((await hub.call('GET', '/metrics', { token: read.key })).status).toBe(200);
    expect((await hub.call('DELETE', '/api/v1/devices/scope-dev', { token: admin.key })).status).toBe(204);
  });

  it('registers routes that all need a credential, except the few that check their own', () => {
    const routes = registeredRoutes(hub.hub.app);
    expect(routes.length).toBeGreaterThan(30);
    const self = routes.filter((r) => r.auth === 'self').map((r) => `${r.method} ${r.url}`);
    // A new route that skips the API key check must be added here on purpose (and refuse anonymous calls below).
    expect(self.sort()).toEqual([...SELF_ROUTES].sort());
    const device = routes.filter((r) => r.auth === 'device').map((r) => `${r.method} ${r.url}`);
    expect(device.sort()).toEqual([...DEVICE_ROUTES].sort());
    const open = routes.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('refuses device routes to API keys and to wrong or malformed device credentials', async () => {
    await hub.call('POST', '/api/v1/devices', { body: { id: 'auth-dev' } });
    const routes = registeredRoutes(hub.hub.app).filter((r) => r.auth === 'device');
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const path = pathOf(route);
      const attempts: [string, Record<string, string>][] = [
        ['admin API key', { authorization: `Bearer ${hub.adminKey}` }],
        ['wrong password', { authorization: basic('auth-dev', 'not-the-password') }],
        ['unknown device', { authorization: basic('no-such-device', 'whatever-password') }],
        ['not enrolled device, empty password', { authorization: basic('auth-dev', '') }],
        ['no colon', { authorization: `Basic ${Buffer.from('auth-dev').toString('base64')}` }],
        ['not base64', { authorization: 'Basic %%%' }],
        ['bare scheme', { authorization: 'Basic' }],
      ];
      for (const [name, headers] of attempts) {
        const response = await hub.call(route.method, path, {
          token: null,
          headers: { ...headers, 'content-type': 'video/mp4' },
          rawBody: Buffer.alloc(64 * 1024, 1),
        });
        expect(response.status, `${label} (${name})`).toBe(401);
        expect(response.body, `${label} (${name})`).toMatchObject({ error: { code: 'unauthorized', message: expect.stringContaining('Basic') } });
      }
    }
    // Nothing was stored and the hub is unharmed.
    expect((await hub.call('GET', '/api/v1/auth/me')).status).toBe(200);
  });

  it('refuses every route to an anonymous caller and to a garbage token', async () => {
    const routes = registeredRoutes(hub.hub.app);
    const checked: string[] = [];
    for (const route of routes) {
      const path = pathOf(route);
      const label = `${route.method} ${route.url}`;
      const isSelf = route.auth === 'self';
      if (route.auth === 'public') {
        // Public on purpose (listed above): it answers anyone, whatever credential comes with the call.
        for (const token of [null, 'garbage-token']) expect((await hub.call(route.method, path, { token })).status, label).toBe(200);
        checked.push(label);
        continue;
      }
      const withBody = route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT';
      const body = isSelf ? SELF_BODIES[route.url] : withBody ? {} : undefined;

      const anonymous = await hub.call(route.method, path, { token: null, body });
      const garbage = await hub.call(route.method, path, { token: 'garbage-token', body });
      const forged = await hub.call(route.method, path, { token: `sl_${newId()}_${'x'.repeat(32)}`, body });
      if (isSelf) {
        // Setup after bootstrap, a wrong password, an unknown enrollment token: each one a refusal.
        for (const r of [anonymous, garbage, forged]) expect([401, 403], `${label} → ${r.status}`).toContain(r.status);
        const empty = await hub.call(route.method, path, { token: null });
        expect(empty.status, `${label} without body`).toBeGreaterThanOrEqual(400);
        expect(empty.status, `${label} without body`).toBeLessThan(500);
      } else {
        for (const [name, r] of [['anonymous', anonymous], ['garbage', garbage], ['forged', forged]] as const) {
          expect(r.status, `${label} (${name}) → ${r.status}`).toBe(401);
          if (route.method !== 'HEAD') expect(r.body, label).toMatchObject({ error: { code: 'unauthorized' } });
        }
      }
      checked.push(label);
    }
    expect(checked).toHaveLength(routes.length);
    // The hub is unharmed and the admin still gets in.
    expect((await hub.call('GET', '/api/v1/auth/me')).status).toBe(200);
  });

  it('protects the docs, which open with ?access_token= and list every API route', async () => {
    expect((await hub.call('GET', '/docs', { token: null })).status).toBe(401);
    expect((await hub.call('GET', '/docs/json', { token: null })).status).toBe(401);
    expect((await hub.call('GET', '/docs/json?access_token=garbage', { token: null })).status).toBe(401);

    const page = await hub.call<string>('GET', `/docs?access_token=${hub.adminKey}`, { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    // The page's own requests (scripts, the JSON document) carry no token: the cookie set here covers them.
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`sightline_token=${hub.adminKey}`);
    expect(cookie).toContain('HttpOnly');
    const viaCookie = await hub.call('GET', '/docs/json', { token: null, headers: { cookie: `sightline_token=${hub.adminKey}` } });
    expect(viaCookie.status).toBe(200);

    const doc = await hub.call<{ openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> }>(
      'GET',
      `/docs/json?access_token=${hub.adminKey}`,
      { token: null },
    );
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const apiRoutes = registeredRoutes(hub.hub.app).filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD');
    expect(apiRoutes.length).toBeGreaterThan(15);
    for (const route of apiRoutes) {
      const openApiPath = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = doc.body.paths[openApiPath]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url} in the OpenAPI document`).toBeDefined();
      if (route.auth === 'device') expect(operation?.security, `${route.method} ${route.url} security`).toEqual([{ deviceBasic: [] }]);
      else if (route.auth === 'public') expect(operation?.security, `${route.method} ${route.url} security`).toBeUndefined();
      else if (route.auth !== 'self') expect(operation?.security, `${route.method} ${route.url} security`).toEqual([{ bearer: [] }]);
    }
  });
});

describe('hub API sessions and first-run setup', () => {
  it('lets exactly one of two simultaneous first-run setups become admin', async () => {
    const hub = await startTestHub({}, false);
    try {
      const attempt = (username: string) =>
        hub.call<SetupResponse>('POST', '/api/v1/setup', { body: { username, password: 'first run password' }, token: null });
      const results: ApiResponse<SetupResponse>[] = await Promise.all([attempt('alice'), attempt('bob')]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 403]);
      const winner = results.find((r) => r.status === 201)!;
      expect(winner.body.user.role).toBe('admin');
      expect(winner.body.apiKey.scope).toBe('admin');
      const me = await hub.call('GET', '/api/v1/auth/me', { token: winner.body.apiKey.key });
      expect(me.body).toMatchObject({ user: { username: winner.body.user.username }, scope: 'admin' });
    } finally {
      await hub.close();
    }
  });

  it('validates the setup request and names the bad field', async () => {
    const hub = await startTestHub({}, false);
    try {
      const short = await hub.call('POST', '/api/v1/setup', { body: { username: 'admin', password: 'short' }, token: null });
      expect(short.status).toBe(400);
      expect(short.body).toMatchObject({ error: { code: 'invalid_request', field: 'password' } });
      // A refused setup leaves the hub open for a proper one.
      const ok = await hub.call('POST', '/api/v1/setup', { body: { username: 'admin', password: 'long enough now' }, token: null });
      expect(ok.status).toBe(201);
    } finally {
      await hub.close();
    }
  });

  it('refuses a session token once it has expired', async () => {
    const hub = await startTestHub({ sessionTtlMs: 800 });
    try {
      const login = await hub.call<LoginResponse>('POST', '/api/v1/auth/login', {
        body: { username: hub.adminUsername, password: hub.adminPassword },
        token: null,
      });
      expect((await hub.call('GET', '/api/v1/auth/me', { token: login.body.token })).status).toBe(200);
      await sleep(login.body.expiresAt - Date.now() + 50);
      expect((await hub.call('GET', '/api/v1/auth/me', { token: login.body.token })).status).toBe(401);
      // API keys without an expiry are unaffected.
      expect((await hub.call('GET', '/api/v1/auth/me')).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});
