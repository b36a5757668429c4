import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../src/http/error-handler.js';
import { consoleFallback } from '../src/http/console-static.js';

describe('the console build served by the hub', () => {
  let dir: string;
  let app: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-console-static-'));
    mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'web', 'assets', 'app-1234.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
    app = Fastify();
    installErrorHandler(app, consoleFallback(join(dir, 'web')));
    app.get('/api/v1/thing', async () => ({ ok: true }));
    missing = Fastify();
    installErrorHandler(missing, consoleFallback(join(dir, 'not-built')));
  });
  afterAll(async () => {
    await app?.close();
    await missing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for app paths, and assets with a long cache', async () => {
    for (const url of ['/', '/fleet', '/cameras/gate?x=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).toContain('<title>console</title>');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('keeps JSON 404s for the API, docs, metrics, missing assets and other methods, and never leaves the build', async () => {
    for (const url of ['/api/v1/nope', '/docs/nope', '/metrics/x', '/assets/gone.js']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await app.inject({ method: 'POST', url: '/fleet' })).statusCode).toBe(404);
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%E0%A4%A']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('outside the build');
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/thing' })).json()).toEqual({ ok: true });
  });

  it('says how to build the console when the build is missing', async () => {
    const res = await missing.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    expect((await missing.inject({ method: 'GET', url: '/api/v1/x' })).statusCode).toBe(404);
  });
});
