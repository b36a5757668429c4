import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { App, StreamSession } from '@sightline/protocol';
import { FfmpegRtpSource } from '../../../media/test/support/ffmpeg-rtp-source.js';
import { WhepTestPeer } from '../../../player/test/support/cloud-test-hub.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** The hub's own policy for the console (console-static.ts), so that the page is tested under it. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'";

export const SESSION_COOKIE = 'sightline_token';

export interface MockRequest {
  method: string;
  path: string;
  /** `cookie` (the signed-in console), `bearer:<token>`, or undefined. */
  auth: string | undefined;
  status: number;
  body: string;
}

/**
 * Just enough of the hub for the player page and the apps page: the console build (a single-page app: unknown paths
 * get index.html), `GET /auth/me` (signed in with the session cookie, 401 without), the apps catalogue, sessions (the
 * state stream pushed by the test, like the real hub refusing spectate tokens on it), WHEP answered by a werift peer
 * sending ffmpeg's test pattern (the player with the cookie, spectators with `spectate-…`), spectate tokens and
 * DELETE. Bound to 127.0.0.1; every /api request is recorded.
 */
export class PlayMockHub {
  readonly requests: MockRequest[] = [];
  readonly peers: WhepTestPeer[] = [];
  readonly sessions = new Map<string, StreamSession>();
  apps: App[] = [];
  /** Who the signed-in user is: a viewer (plays) or an admin (edits the catalogue). */
  role: 'viewer' | 'admin' = 'viewer';
  /** Answers to POST /apps, in order (the test's inline-error case), else 201 with the app. */
  readonly createAppReplies: { status: number; json: unknown }[] = [];
  private readonly stateClients = new Map<string, Set<ServerResponse>>();
  private readonly peerSession = new Map<WhepTestPeer, string>();
  private server: Server | undefined;
  private source: FfmpegRtpSource | undefined;
  private nextSession = 1;

  constructor(private readonly distDir: string) {}

  async listen(): Promise<string> {
    this.source = await FfmpegRtpSource.start((packet) => {
      for (const peer of this.peers) if (!peer.closed) peer.track.writeRtp(packet);
    });
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        console.error('[play-mock-hub]', error);
        if (!response.headersSent) response.writeHead(500).end(String(error));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A new session id (UUIDv7-shaped, as the hub's). */
  newSessionId(): string {
    const n = (this.nextSession++).toString(16).padStart(12, '0');
    return `0190b2a4-1c2d-7e3f-8a9b-${n}`;
  }

  /** Stores a state and sends it to that session's open state streams. */
  push(session: StreamSession): void {
    this.sessions.set(session.id, session);
    for (const client of this.stateClients.get(session.id) ?? []) client.write(`event: session\ndata: ${JSON.stringify(session)}\n\n`);
  }

  /** The session's live player connection (the latest not closed). */
  playerOf(sessionId: string): WhepTestPeer | undefined {
    return this.peers.filter((p) => p.role === 'player' && !p.closed && this.peerSession.get(p) === sessionId).at(-1);
  }

  async close(): Promise<void> {
    for (const clients of this.stateClients.values()) for (const client of clients) client.destroy();
    await Promise.all(this.peers.map((peer) => peer.close()));
    await this.source?.stop();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (!path.startsWith('/api/')) {
      await this.serveConsole(path, response);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = request.headers.authorization;
    const cookie = request.headers.cookie?.split(';').some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`));
    const auth = header?.startsWith('Bearer ') ? `bearer:${header.slice(7)}` : cookie ? 'cookie' : undefined;
    const method = request.method ?? 'GET';
    const record = (status: number) => this.requests.push({ method, path, auth, status, body });
    const json = (status: number, value: unknown) => {
      record(status);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const error = (status: number, code: string, message: string, field?: string) => json(status, { error: { code, message, ...(field ? { field } : {}) } });
    const signedIn = auth === 'cookie';
    const spectator = auth?.startsWith('bearer:spectate-') === true;

    if (method === 'GET' && path === '/api/v1/auth/me') {
      if (!signedIn) return error(401, 'unauthorized', 'sign in');
      return json(200, { user: { id: 'u1', username: 'ada', role: this.role, createdAt: 0 }, scope: this.role === 'admin' ? 'admin' : 'read' });
    }
    const session = /^\/api\/v1\/sessions\/([0-9a-f-]{36})(\/.*)?$/.exec(path);
    const sessionId = session?.[1];
    const rest = session?.[2] ?? '';
    const current = sessionId ? this.sessions.get(sessionId) : undefined;

    if (method === 'POST' && sessionId && rest === '/whep') {
      if (!signedIn && !spectator) return error(401, 'unauthorized', 'no credential');
      if (!current || current.state !== 'running') return error(409, 'session_not_running', 'not running');
      const id = this.peers.length + 1;
      const { peer, answerSdp } = await WhepTestPeer.answer(id, signedIn && !spectator ? 'player' : 'spectator', body);
      this.peers.push(peer);
      this.peerSession.set(peer, sessionId);
      record(201);
      response.writeHead(201, { 'content-type': 'application/sdp', location: `/api/v1/sessions/${sessionId}/whep/${id}` }).end(answerSdp);
      return;
    }
    const viewer = /^\/whep\/(\d+)$/.exec(rest);
    if (method === 'DELETE' && viewer) {
      await this.peers[Number(viewer[1]) - 1]?.close();
      record(204);
      response.writeHead(204).end();
      return;
    }
    // Everything else needs the signed-in user, as on the hub (a spectate token is not a credential for the API).
    if (!signedIn) return error(401, 'unauthorized', 'invalid, expired or revoked credential');

    if (method === 'GET' && path === '/api/v1/apps') return json(200, this.apps);
    if (method === 'POST' && path === '/api/v1/apps') {
      const reply = this.createAppReplies.shift();
      if (reply) return json(reply.status, reply.json);
      const created = { ...JSON.parse(body), createdAt: Date.now(), updatedAt: Date.now() } as App;
      this.apps.push(created);
      return json(201, created);
    }
    const startApp = /^\/api\/v1\/apps\/([^/]+)\/sessions$/.exec(path);
    if (method === 'POST' && startApp) {
      const app = this.apps.find((a) => a.id === startApp[1]);
      if (!app) return error(404, 'not_found', 'no such app');
      const created = queuedSession(this.newSessionId(), app);
      this.push(created);
      return json(201, created);
    }
    if (method === 'GET' && path === '/api/v1/sessions') return json(200, [...this.sessions.values()].reverse());
    if (!sessionId || !current) return error(404, 'not_found', `no route ${method} ${path}`);
    if (method === 'GET' && rest === '/state') {
      record(200);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(`event: session\ndata: ${JSON.stringify(current)}\n\n`);
      let clients = this.stateClients.get(sessionId);
      if (!clients) this.stateClients.set(sessionId, (clients = new Set()));
      clients.add(response);
      response.on('close', () => clients.delete(response));
      return;
    }
    if (method === 'GET' && rest === '') return json(200, current);
    if (method === 'DELETE' && rest === '') {
      record(204);
      response.writeHead(204).end();
      this.push({ ...current, state: 'ended', queuePosition: null, endReason: current.state === 'queued' ? 'cancelled' : 'ended', endedAt: Date.now() });
      return;
    }
    if (method === 'POST' && rest === '/spectate-token') {
      return json(201, { token: 'spectate-link-token', expiresAt: Date.now() + 3600_000, whepUrl: `/api/v1/sessions/${sessionId}/whep` });
    }
    return error(404, 'not_found', `no route ${method} ${path}`);
  }

  private async serveConsole(path: string, response: ServerResponse): Promise<void> {
    const relative = normalize(decodeURIComponent(path)).replace(/^([/\\])+/, '');
    const file = join(this.distDir, relative);
    const inside = file.startsWith(this.distDir + sep);
    const body = inside && extname(file) ? await readFile(file).catch(() => undefined) : undefined;
    if (body) {
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY }).end(body);
      return;
    }
    // A page of the single-page app (a reload of /play/…): index.html.
    const index = await readFile(join(this.distDir, 'index.html'));
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CONTENT_SECURITY_POLICY }).end(index);
  }
}

export function queuedSession(id: string, app: App, queuePosition = 2): StreamSession {
  return {
    id,
    appId: app.id,
    appName: app.name,
    state: 'queued',
    queuePosition,
    hostId: null,
    endReason: null,
    message: null,
    createdAt: Date.now(),
    startedAt: null,
    endedAt: null,
    whepUrl: `/api/v1/sessions/${id}/whep`,
    width: 640,
    height: 360,
    fps: 30,
    inputProfile: app.inputProfile,
    gamepadKeys: null,
    reconnectGraceMs: 60_000,
    spectators: 0,
    hostStats: null,
    recording: 'off',
  };
}
