import type { z } from 'zod';
import { API_PREFIX, ApiErrorBodySchema } from '@sightline/protocol';
import { Deadline } from './deadline.js';
import { SightlineApiError } from './errors.js';
import { toQueryString } from './query.js';

export interface SightlineClientOptions {
  /** The hub's address, e.g. `http://127.0.0.1:8080`; `''` or a path (`/`) for same-origin use in a browser. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`: an API key, or the token from `auth.login`. */
  apiKey?: string;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /** Limit for each call until the hub's answer is complete (for streams: until it starts). 0 disables it. */
  timeoutMs?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Call extends RequestOptions {
  method: HttpMethod;
  /** Path below the API prefix, e.g. `/devices`. */
  path: string;
  query?: object;
  body?: unknown;
}

/** An answer whose body the caller reads at its own pace; `close` must be called when done with it. */
export interface OpenResponse {
  response: Response;
  url: string;
  deadline: Deadline;
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** How many characters of a body that is not what we expected go into an error message. */
const BODY_EXCERPT = 200;

/** Sends requests to the hub and turns every answer into data validated by a protocol schema, or a SightlineApiError. */
export class Transport {
  readonly apiBase: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  apiKey: string | undefined;

  constructor(options: SightlineClientOptions) {
    this.apiBase = apiBaseOf(options.baseUrl);
    // Bound, because browsers reject window.fetch called with another `this`.
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.apiKey = options.apiKey;
  }

  url(path: string, query?: object): string {
    return `${this.apiBase}${path}${toQueryString(query)}`;
  }

  /** A JSON answer, validated with `schema`. */
  json<S extends z.ZodType>(call: Call, schema: S): Promise<z.infer<S>> {
    return this.exchange(call, 'application/json', async (response, url) => {
      const text = await response.text();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw badResponse(call.method, url, response.status, `an answer that is not JSON: ${excerpt(text)}`);
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path) || '(body)'}: ${i.message}`);
        throw badResponse(call.method, url, response.status, `an answer that does not match the API (${issues.join('; ')})`);
      }
      return parsed.data;
    });
  }

  /** An answer with no body (204). */
  empty(call: Call): Promise<void> {
    return this.exchange(call, 'application/json', async (response) => {
      // Drain it so the connection can be reused.
      await response.arrayBuffer();
    });
  }

  /** A binary answer whose content type must start with `expectedType`. */
  bytes(call: Call, expectedType: string): Promise<Uint8Array> {
    return this.exchange(call, expectedType, async (response, url) => {
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith(expectedType)) {
        throw badResponse(call.method, url, response.status, `content type "${type}" where ${expectedType} was expected`);
      }
      return new Uint8Array(await response.arrayBuffer());
    });
  }

  /**
   * Starts a call and hands back the successful answer unread; the time limit stops once headers arrive, but the
   * caller's signal still cancels the body.
   */
  async open(call: Call, accept: string): Promise<OpenResponse> {
    const url = this.url(call.path, call.query);
    const deadline = new Deadline(this.timeoutMs, call.signal);
    try {
      const response = await this.send(call, url, accept, deadline);
      deadline.stopTimer();
      return { response, url, deadline, close: () => deadline.dispose() };
    } catch (err) {
      deadline.dispose();
      throw deadline.explain(err, call.method, url);
    }
  }

  private async exchange<T>(call: Call, accept: string, read: (response: Response, url: string) => Promise<T>): Promise<T> {
    const url = this.url(call.path, call.query);
    const deadline = new Deadline(this.timeoutMs, call.signal);
    try {
      const response = await this.send(call, url, accept, deadline);
      return await read(response, url);
    } catch (err) {
      throw deadline.explain(err, call.method, url);
    } finally {
      deadline.dispose();
    }
  }

  /** fetch, then a SightlineApiError for any answer that is not 2xx. */
  private async send(call: Call, url: string, accept: string, deadline: Deadline): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const response = await this.fetchImpl(url, { method: call.method, headers, body, signal: deadline.signal });
    if (!response.ok) throw await errorFromAnswer(call.method, url, response);
    return response;
  }
}

async function errorFromAnswer(method: string, url: string, response: Response): Promise<SightlineApiError> {
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = ApiErrorBodySchema.safeParse(value);
  if (!parsed.success) {
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    return badResponse(method, url, response.status, `HTTP ${status} without a Sightline error body (is this a Sightline hub?): ${excerpt(text)}`);
  }
  const { code, message, field } = parsed.data.error;
  return new SightlineApiError(code, message, { status: response.status, field, method, url });
}

export function badResponse(method: string, url: string, status: number | null, what: string): SightlineApiError {
  return new SightlineApiError('bad_response', `${method} ${url} got ${what}`, { status, method, url });
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  return flat.length > BODY_EXCERPT ? `${flat.slice(0, BODY_EXCERPT)}…` : flat;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** `http://hub:8080/` and `http://hub:8080/api/v1` both mean the same API root. */
function apiBaseOf(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  if (trimmed !== '' && !trimmed.startsWith('/')) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new TypeError(`baseUrl must be an http(s) URL or a path, got "${baseUrl}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http(s) URL or a path, got "${baseUrl}"`);
    }
  }
  return trimmed.endsWith(API_PREFIX) ? trimmed : `${trimmed}${API_PREFIX}`;
}
