import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the canned hub received, as the test wants to check it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CannedReply {
  status?: number;
  json?: unknown;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** Answers a request itself (e.g. a stream), or returns a reply to send. */
export type CannedHandler = (request: RecordedRequest, response: ServerResponse) => CannedReply | void | Promise<CannedReply | void>;

/**
 * A small real HTTP server on 127.0.0.1 that answers "METHOD /path" with canned replies and records every request,
 * standing in for the hub in client tests. Unknown routes get the hub's 404 error body.
 */
export class CannedHub {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, CannedReply | CannedHandler>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CannedHub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hub = new CannedHub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', hub.url);
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        hub.requests.push(recorded);
        void hub.answer(recorded, res);
      });
    });
    return hub;
  }

  /** Sets the answer to `route`, written "GET /api/v1/devices". */
  on(route: string, reply: CannedReply | CannedHandler): this {
    this.routes.set(route, reply);
    return this;
  }

  /** The last request to `route`, failing loudly when there was none. */
  last(route: string): RecordedRequest {
    const found = this.requests.filter((r) => `${r.method} ${r.path}` === route).at(-1);
    if (!found) throw new Error(`no request to ${route}; got ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`);
    return found;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: RecordedRequest, response: ServerResponse): Promise<void> {
    const route = this.routes.get(`${request.method} ${request.path}`);
    try {
      const reply = typeof route === 'function' ? await route(request, response) : (route ?? notFound(request));
      if (reply) send(response, reply);
    } catch (err) {
      send(response, { status: 500, json: { error: { code: 'internal', message: String(err) } } });
    }
  }
}

export function send(response: ServerResponse, reply: CannedReply): void {
  const headers = { ...reply.headers };
  let body: string | Uint8Array | undefined = reply.body;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json';
  }
  response.writeHead(reply.status ?? 200, headers);
  response.end(body);
}

export function apiError(status: number, code: string, message: string, field?: string): CannedReply {
  return { status, json: { error: { code, message, ...(field ? { field } : {}) } } };
}

function notFound(request: RecordedRequest): CannedReply {
  return apiError(404, 'not_found', `no route ${request.method} ${request.path}`);
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
