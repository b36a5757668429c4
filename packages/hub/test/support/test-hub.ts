import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SetupResponse } from '@sightline/protocol';
import { startHub, type Hub, type HubOptions } from '../../src/index.js';
import { metricValue } from './metrics.js';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, otherwise the text. */
  body: T;
  bytes: Buffer;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is, with content-type application/json unless `headers` says otherwise. */
  rawBody?: string | Buffer;
  /** A bearer token; null sends no credential; default: the admin key. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** A running hub on loopback with a bootstrapped admin, and a small HTTP client for its API. */
export interface TestHub {
  hub: Hub;
  dataDir: string;
  adminKey: string;
  adminUsername: string;
  adminPassword: string;
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** The /metrics value of a series (summed over series matching `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD = 'correct horse battery';

export async function callApi<T>(baseUrl: string, method: string, path: string, options: CallOptions & { token: string | null }): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  const parsed: unknown = isJson && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8');
  return { status: response.status, headers: response.headers, body: parsed as T, bytes };
}

/** Starts a hub in a fresh data directory (SQLite) and runs first-time setup unless `bootstrap` is false. */
export async function startTestHub(options: Partial<HubOptions> = {}, bootstrap = true): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-hub-test-'));
  let hub: Hub;
  try {
    hub = await startHub({ dataDir, host: '127.0.0.1', port: 0, mqttPort: 0, mqttWsPort: 0, logLevel: 'silent', ...options });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let adminKey = '';
  const test: TestHub = {
    hub,
    dataDir,
    get adminKey() {
      return adminKey;
    },
    adminUsername: ADMIN_USERNAME,
    adminPassword: ADMIN_PASSWORD,
    call: (method, path, callOptions = {}) =>
      callApi(hub.url, method, path, { ...callOptions, token: callOptions.token === undefined ? adminKey : callOptions.token }),
    metric: async (name, labels) => {
      const response = await test.call<string>('GET', '/metrics');
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return metricValue(response.body, name, labels);
    },
    close: async () => {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (bootstrap) {
    const setup = await test.call<SetupResponse>('POST', '/api/v1/setup', { body: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD }, token: null });
    if (setup.status !== 201) {
      await test.close();
      throw new Error(`setup failed: ${setup.status} ${JSON.stringify(setup.body)}`);
    }
    adminKey = setup.body.apiKey.key;
  }
  return test;
}
