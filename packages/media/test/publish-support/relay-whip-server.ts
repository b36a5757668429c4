import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiveRelay, WhipWhepSessions, signallingErrorResponse, type SignallingResponse } from '../../src/index.js';
import type { RecordedRequest } from './whip-test-endpoint.js';

/**
 * WHIP into a LiveRelay the way the hub mounts it: node:http on 127.0.0.1, a bearer token checked first, then
 * WhipWhepSessions (POST /whip → 201 + Location /resources/<id>; DELETE there). Viewers join the relay directly.
 */
export class RelayWhipServer {
  readonly requests: RecordedRequest[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly relay: LiveRelay,
    readonly url: string,
  ) {}

  static async start(token: string): Promise<RelayWhipServer> {
    const relay = new LiveRelay({ id: 'camera-1', ice: { loopbackOnly: true }, pliMinIntervalMs: 200 });
    const sessions = new WhipWhepSessions({ resourceLocation: (session) => `/resources/${session.resourceId}` });
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new RelayWhipServer(server, relay, `http://127.0.0.1:${port}/whip`);
    server.on('request', (request, response) => {
      void (async () => {
        let reply: SignallingResponse;
        try {
          if (request.headers.authorization !== `Bearer ${token}`) {
            reply = { status: 401, headers: { 'content-type': 'text/plain' }, body: 'invalid token' };
          } else if (request.method === 'POST' && request.url === '/whip') {
            const chunks: Buffer[] = [];
            for await (const chunk of request) chunks.push(chunk as Buffer);
            reply = await sessions.publish(relay, { contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
          } else if (request.method === 'DELETE' && request.url?.startsWith('/resources/')) {
            reply = await sessions.remove(request.url.slice('/resources/'.length));
          } else {
            reply = { status: 404, headers: {}, body: 'not found' };
          }
        } catch (error) {
          reply = signallingErrorResponse(error);
        }
        instance.requests.push({ method: request.method ?? '', path: request.url ?? '', status: reply.status, authorization: request.headers.authorization });
        response.writeHead(reply.status, reply.headers);
        response.end(reply.body);
      })();
    });
    return instance;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.relay.close();
  }
}
