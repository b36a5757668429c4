import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveRelay } from '../../src/relay/live-relay.js';
import { WhipWhepSessions, signallingErrorResponse, type SignallingResponse } from '../../src/signalling/index.js';

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, reply: SignallingResponse): void {
  response.writeHead(reply.status, reply.headers).end(reply.body);
}

/**
 * The smallest HTTP front a relay needs, as the hub will mount it: GET / serves a page, POST /whip and POST /whep
 * create sessions, DELETE /sessions/:id ends one. Bound to 127.0.0.1.
 */
export class WhepTestServer {
  readonly sessions = new WhipWhepSessions({ resourceLocation: ({ resourceId }) => `/sessions/${resourceId}` });
  private server: Server | undefined;

  constructor(
    private readonly relay: LiveRelay,
    private readonly page: string,
  ) {}

  async listen(): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => send(response, signallingErrorResponse(error)));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.page);
      return;
    }
    if (request.method === 'POST' && (path === '/whep' || path === '/whip')) {
      const body = await readBody(request);
      const sdpRequest = { contentType: request.headers['content-type'], body };
      send(response, path === '/whep' ? await this.sessions.view(this.relay, sdpRequest) : await this.sessions.publish(this.relay, sdpRequest));
      return;
    }
    const resource = /^\/sessions\/([^/]+)$/.exec(path);
    if (request.method === 'DELETE' && resource?.[1]) {
      send(response, await this.sessions.remove(decodeURIComponent(resource[1])));
      return;
    }
    response.writeHead(404).end();
  }
}
