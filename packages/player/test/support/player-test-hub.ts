import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { LiveOverlayFrame } from '@sightline/protocol';
import type { LiveRelay } from '../../../media/src/relay/live-relay.js';
import { WhipWhepSessions, signallingErrorResponse, type SignallingResponse } from '../../../media/src/signalling/index.js';

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, reply: SignallingResponse): void {
  response.writeHead(reply.status, reply.headers).end(reply.body);
}

function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  token: string | undefined;
  status: number;
}

/**
 * The hub's routes for one camera's live view, as the player calls them, in front of a LiveRelay: POST/DELETE WHEP
 * (Bearer token), the overlay event stream (`?access_token=`), GET camera (zones and lines), plus POST /whip for the
 * test publisher, the test page at / and the player's compiled module under /player/. Tokens are accepted when
 * they start with `token-`. Every request to /api is recorded. Bound to 127.0.0.1.
 */
export class PlayerTestHub {
  readonly requests: RecordedRequest[] = [];
  readonly sessions: WhipWhepSessions;
  /** Statuses to answer the next WHEP POSTs with instead of serving them (failure injection). */
  readonly failNextWhep: number[] = [];
  /** The resource ids of the WHEP sessions created, in order. */
  readonly whepResources: string[] = [];
  private readonly overlayClients = new Set<ServerResponse>();
  private server: Server | undefined;

  constructor(
    private readonly relay: LiveRelay,
    private readonly options: { cameraId: string; page: string; distDir: string; camera: unknown },
  ) {
    const prefix = `/api/v1/cameras/${options.cameraId}`;
    this.sessions = new WhipWhepSessions({ resourceLocation: ({ kind, resourceId }) => (kind === 'whep' ? `${prefix}/whep/${resourceId}` : `/whip/${resourceId}`) });
  }

  async listen(): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => send(response, signallingErrorResponse(error)));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Open overlay event streams. */
  get overlayClientCount(): number {
    return this.overlayClients.size;
  }

  /** Sends one overlay frame to every open event stream, as the hub will. */
  sendOverlay(frame: LiveOverlayFrame | Record<string, unknown> | string): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    for (const client of this.overlayClients) client.write(`event: overlay\ndata: ${data}\n\n`);
  }

  /** Ends every overlay stream, as a hub restart would. */
  dropOverlayClients(): void {
    for (const client of this.overlayClients) client.destroy();
    this.overlayClients.clear();
  }

  async close(): Promise<void> {
    this.dropOverlayClients();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private record(request: IncomingMessage, path: string, token: string | undefined, status: number): void {
    this.requests.push({ method: request.method ?? '', path, token, status });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const prefix = `/api/v1/cameras/${this.options.cameraId}`;
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.options.page);
      return;
    }
    if (request.method === 'GET' && path.startsWith('/player/')) {
      // Only plain file names of dist/, never a path.
      const file = basename(path);
      const body = await readFile(join(this.options.distDir, file)).catch(() => undefined);
      if (!body || !/^[\w.-]+\.js(\.map)?$/.test(file)) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'application/json' }).end(body);
      return;
    }
    if (request.method === 'POST' && path === '/whip') {
      const body = await readBody(request);
      send(response, await this.sessions.publish(this.relay, { contentType: request.headers['content-type'], body }));
      return;
    }
    if (!path.startsWith('/api/')) {
      response.writeHead(404).end();
      return;
    }
    const token = request.method === 'GET' && path === `${prefix}/live/overlay` ? (url.searchParams.get('access_token') ?? undefined) : bearer(request);
    if (!token?.startsWith('token-')) {
      this.record(request, path, token, token ? 403 : 401);
      response.writeHead(token ? 403 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unauthorized', message: 'no valid token' } }));
      return;
    }
    if (request.method === 'POST' && path === `${prefix}/whep`) {
      const injected = this.failNextWhep.shift();
      if (injected !== undefined) {
        this.record(request, path, token, injected);
        response.writeHead(injected, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'injected', message: `injected ${injected}` } }));
        return;
      }
      const body = await readBody(request);
      const reply = await this.sessions.view(this.relay, { contentType: request.headers['content-type'], body });
      this.record(request, path, token, reply.status);
      const location = reply.headers.location ?? reply.headers.Location;
      if (location) this.whepResources.push(location.slice(location.lastIndexOf('/') + 1));
      send(response, reply);
      return;
    }
    const session = new RegExp(`^${prefix}/whep/([^/]+)$`).exec(path);
    if (request.method === 'DELETE' && session?.[1]) {
      const reply = await this.sessions.remove(decodeURIComponent(session[1]));
      this.record(request, path, token, reply.status);
      send(response, reply);
      return;
    }
    if (request.method === 'GET' && path === `${prefix}/live/overlay`) {
      this.record(request, path, token, 200);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write(': connected\n\n');
      this.overlayClients.add(response);
      response.on('close', () => this.overlayClients.delete(response));
      return;
    }
    if (request.method === 'GET' && path === prefix) {
      this.record(request, path, token, 200);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.options.camera));
      return;
    }
    this.record(request, path, token, 404);
    response.writeHead(404).end();
  }
}
