import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a WHIP backend does with an offer: the receiving side of one published stream. */
export interface WhipBackend<Session> {
  accept(offerSdp: string): Promise<{ session: Session; answerSdp: string }>;
  remove(session: Session): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  authorization: string | undefined;
}

/**
 * A minimal WHIP endpoint on 127.0.0.1 for tests: POST <path> with a bearer token and an SDP offer gives 201, the
 * answer and a Location; DELETE on that Location ends the session. What receives the media is up to the backend.
 */
export class WhipTestEndpoint<Session> {
  readonly requests: RecordedRequest[] = [];
  readonly sessions = new Map<string, Session>();
  /** Sessions in the order they were created, deleted ones included. */
  readonly history: Session[] = [];
  #sessionListeners = new Set<(session: Session) => void>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly backend: WhipBackend<Session>,
  ) {}

  static async start<Session>(options: {
    backend: WhipBackend<Session>;
    token: string;
    port?: number;
    path?: string;
  }): Promise<WhipTestEndpoint<Session>> {
    const path = options.path ?? '/whip/camera-1';
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = new WhipTestEndpoint(server, `http://127.0.0.1:${port}${path}`, options.backend);
    server.on('request', (request, response) => void endpoint.handle(request, response, options.token, path));
    return endpoint;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves with the next session a POST creates. */
  nextSession(timeoutMs: number): Promise<Session> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#sessionListeners.delete(listener);
        reject(new Error(`no WHIP session within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (session: Session) => {
        clearTimeout(timer);
        this.#sessionListeners.delete(listener);
        resolve(session);
      };
      this.#sessionListeners.add(listener);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.sessions.values()].map((session) => this.backend.remove(session)));
    this.sessions.clear();
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse, token: string, path: string): Promise<void> {
    const reply = (status: number, body = '', headers: Record<string, string> = {}) => {
      this.requests.push({ method: request.method ?? '', path: request.url ?? '', status, authorization: request.headers.authorization });
      response.writeHead(status, headers);
      response.end(body);
    };
    try {
      if (request.headers.authorization !== `Bearer ${token}`) return reply(401, 'invalid or missing token', { 'content-type': 'text/plain' });
      if (request.method === 'POST' && request.url === path) {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        if (!/^application\/sdp/.test(request.headers['content-type'] ?? '')) return reply(415, 'expected application/sdp');
        const { session, answerSdp } = await this.backend.accept(Buffer.concat(chunks).toString('utf8'));
        const id = randomUUID();
        this.sessions.set(id, session);
        this.history.push(session);
        for (const listener of this.#sessionListeners) listener(session);
        return reply(201, answerSdp, { 'content-type': 'application/sdp', location: `${path}/${id}` });
      }
      const id = request.url?.startsWith(`${path}/`) ? request.url.slice(path.length + 1) : undefined;
      if (request.method === 'DELETE' && id !== undefined) {
        const session = this.sessions.get(id);
        if (session === undefined) return reply(404, 'no such session');
        this.sessions.delete(id);
        await this.backend.remove(session);
        return reply(200);
      }
      return reply(404, 'not found');
    } catch (error) {
      return reply(500, String(error));
    }
  }
}
