import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SightlineApiError, SightlineClient } from '../src/index.js';
import { apiError, CannedHub, closedPort } from './canned-hub.js';
import { device } from './fixtures.js';

let hub: CannedHub;
let client: SightlineClient;

beforeAll(async () => {
  hub = await CannedHub.start();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  client = new SightlineClient({ baseUrl: hub.url, apiKey: 'k', timeoutMs: 2_000 });
});

async function failure(promise: Promise<unknown>): Promise<SightlineApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SightlineApiError);
    return err as SightlineApiError;
  }
  throw new Error('expected the call to fail');
}

describe('SightlineApiError mapping', () => {
  it('carries the status, code, message and field of the hub error body', async () => {
    hub.on('POST /api/v1/devices', apiError(400, 'validation_failed', 'id: letters, digits, dot, dash, underscore', 'id'));
    const err = await failure(client.devices.create({ id: 'bad id' }));
    expect(err).toMatchObject({ status: 400, code: 'validation_failed', message: 'id: letters, digits, dot, dash, underscore', field: 'id', method: 'POST' });
    expect(err.url).toBe(`${hub.url}/api/v1/devices`);
  });

  it('maps 401, 403 and 404 answers the same way', async () => {
    hub.on('GET /api/v1/devices', apiError(401, 'unauthorized', 'missing or invalid credential'));
    hub.on('POST /api/v1/setup', apiError(403, 'setup_complete', 'setup is already done'));
    expect(await failure(client.devices.list())).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await failure(client.auth.setup({ username: 'a', password: '12345678' }))).toMatchObject({ status: 403, code: 'setup_complete' });
    expect(await failure(client.devices.get('nope'))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('reports an error answer that is not a hub error body as bad_response with its status', async () => {
    hub.on('GET /api/v1/devices', { status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const err = await failure(client.devices.list());
    expect(err).toMatchObject({ code: 'bad_response', status: 502 });
    expect(err.message).toContain('HTTP 502');
    expect(err.message).toContain('<html>Bad Gateway</html>');
  });

  it('rejects a successful answer that does not match the schema, naming the field', async () => {
    hub.on('GET /api/v1/devices/gate-pi', { json: { ...device(), online: 'yes' } });
    const err = await failure(client.devices.get('gate-pi'));
    expect(err.code).toBe('bad_response');
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/online: /);
    expect(err.message).toContain(`${hub.url}/api/v1/devices/gate-pi`);
  });

  it('rejects a successful answer that is not JSON', async () => {
    hub.on('GET /api/v1/devices', { body: 'hello' });
    const err = await failure(client.devices.list());
    expect(err.code).toBe('bad_response');
    expect(err.message).toContain('not JSON: hello');
  });

  it('reports a hub that cannot be reached as unreachable, naming the URL', async () => {
    const port = await closedPort();
    const offline = new SightlineClient({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await failure(offline.devices.list());
    expect(err.code).toBe('unreachable');
    expect(err.status).toBeNull();
    expect(err.message).toContain(`http://127.0.0.1:${port}/api/v1/devices`);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('gives up after timeoutMs with code timeout', async () => {
    hub.on('GET /api/v1/devices', () => undefined); // never answers
    const slow = new SightlineClient({ baseUrl: hub.url, timeoutMs: 150 });
    const started = Date.now();
    const err = await failure(slow.devices.list());
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`${hub.url}/api/v1/devices`);
    expect(err.message).toContain('150 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a call the caller aborted as aborted', async () => {
    hub.on('GET /api/v1/devices', () => undefined);
    const controller = new AbortController();
    const pending = client.devices.list({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failure(pending)).toMatchObject({ code: 'aborted', status: null });
    expect(await failure(client.devices.list({ signal: AbortSignal.abort() }))).toMatchObject({ code: 'aborted' });
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify([]), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const custom = new SightlineClient({ baseUrl: 'http://hub.invalid:1', fetch: fake });
    expect(await custom.devices.list()).toEqual([]);
    expect(seen).toEqual(['http://hub.invalid:1/api/v1/devices']);
  });
});
