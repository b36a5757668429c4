import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { StreamSession } from '@sightline/protocol';
import { MediaStreamTrack, RTCPeerConnection, type RTCDataChannel } from 'werift';
import { peerConfig, sdpForIce } from '../../../media/src/ice.js';
import { chooseViewerCodec, DEFAULT_RELAY_CODEC } from '../../../media/src/relay/codec-choice.js';
import { FfmpegRtpSource } from '../../../media/test/support/ffmpeg-rtp-source.js';
import { LOOPBACK_ICE } from '../../../media/test/support/test-publisher.js';

/** The test's clock, the same expression as the page's (`performance.timeOrigin + performance.now()`), in ms. */
export const nodeNow = (): number => performance.timeOrigin + performance.now();

export interface ChannelMessage {
  channel: string;
  data: string;
  /** When werift handed it to us (nodeNow). */
  at: number;
}

/**
 * The hub's side of one WHEP viewer, played by a werift peer in the test process: it answers the browser's offer
 * with a send-only H.264 track (fed by the hub's ffmpeg test pattern) and accepts the data channels the browser
 * created, recording every message with its arrival time.
 */
export class WhepTestPeer {
  readonly channels = new Map<string, RTCDataChannel>();
  readonly messages: ChannelMessage[] = [];
  /** Called for each message as it arrives (the latency test answers pings from here). */
  onMessage: ((message: ChannelMessage, channel: RTCDataChannel) => void) | undefined;
  closed = false;

  private constructor(
    readonly id: number,
    readonly role: 'player' | 'spectator',
    readonly offerSdp: string,
    readonly pc: RTCPeerConnection,
    readonly track: MediaStreamTrack,
  ) {
    pc.onDataChannel.subscribe((channel) => {
      this.channels.set(channel.label, channel);
      channel.onMessage.subscribe((data) => {
        const message = { channel: channel.label, data: typeof data === 'string' ? data : data.toString('utf8'), at: nodeNow() };
        this.messages.push(message);
        this.onMessage?.(message, channel);
      });
    });
  }

  static async answer(id: number, role: 'player' | 'spectator', offerSdp: string): Promise<{ peer: WhepTestPeer; answerSdp: string }> {
    const pc = new RTCPeerConnection(peerConfig(LOOPBACK_ICE));
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    // As the relay does: the one codec ffmpeg's stream is in, or werift would label it with the offer's first codec.
    const codec = chooseViewerCodec(transceiver.codecs, DEFAULT_RELAY_CODEC);
    if (!codec) throw new Error('the offer has no H.264 (packetization-mode 1)');
    transceiver.codecs = [codec];
    transceiver.sender.codec = codec;
    await pc.setLocalDescription(await pc.createAnswer());
    const peer = new WhepTestPeer(id, role, offerSdp, pc, track);
    return { peer, answerSdp: sdpForIce(pc.localDescription?.sdp ?? '', LOOPBACK_ICE) };
  }

  /** Messages of one channel, parsed (the latency probes left out unless asked for). */
  parsed(channel: string, withProbes = false): Record<string, unknown>[] {
    return this.messages
      .filter((m) => m.channel === channel)
      .map((m) => JSON.parse(m.data) as Record<string, unknown>)
      .filter((m) => withProbes || !('probe' in m));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pc.close();
  }
}

export interface HubRequest {
  method: string;
  path: string;
  token: string | undefined;
  status: number;
}

/**
 * The hub's cloud-streaming routes as the player calls them, for one session: the state stream (server-sent
 * `session` events, pushed by the test), WHEP for the player (`token-…`) and spectators (`spectate-…`), DELETE of a
 * viewer and of the session; plus the test page at / and the player's compiled modules under /player/. Bound to
 * 127.0.0.1; every /api request is recorded.
 */
export class CloudTestHub {
  readonly requests: HubRequest[] = [];
  readonly peers: WhepTestPeer[] = [];
  /** Whether a spectate token may read the state stream (the hub's choice; the player copes with either). */
  spectatorsMayFollowState = true;
  private readonly stateClients = new Set<ServerResponse>();
  private server: Server | undefined;
  private source: FfmpegRtpSource | undefined;
  private current: StreamSession | undefined;

  constructor(
    readonly sessionId: string,
    private readonly options: { page: string; distDir: string },
  ) {}

  async listen(): Promise<string> {
    this.source = await FfmpegRtpSource.start((packet) => {
      for (const peer of this.peers) if (!peer.closed) peer.track.writeRtp(packet);
    });
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        console.error('[cloud-test-hub]', error);
        if (!response.headersSent) response.writeHead(500).end(String(error));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  get stateClientCount(): number {
    return this.stateClients.size;
  }

  /** The live player peer (the latest not closed). */
  get player(): WhepTestPeer | undefined {
    return this.peers.filter((p) => p.role === 'player' && !p.closed).at(-1);
  }

  /** Sends a new state to every state stream (and to those that open later). */
  push(session: StreamSession): void {
    this.current = session;
    for (const client of this.stateClients) client.write(`event: session\ndata: ${JSON.stringify(session)}\n\n`);
  }

  /** Ends every state stream, as a hub restart would. */
  dropStateClients(): void {
    for (const client of this.stateClients) client.destroy();
    this.stateClients.clear();
  }

  async close(): Promise<void> {
    this.dropStateClients();
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
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.options.page);
      return;
    }
    if (request.method === 'GET' && path.startsWith('/player/')) {
      const file = basename(path);
      const body = await readFile(join(this.options.distDir, file)).catch(() => undefined);
      if (!body || !/^[\w.-]+\.js(\.map)?$/.test(file)) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'application/json' }).end(body);
      return;
    }
    const base = `/api/v1/sessions/${this.sessionId}`;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const role = token?.startsWith('token-') ? 'player' : token?.startsWith('spectate-') ? 'spectator' : undefined;
    const reply = (status: number, headers: Record<string, string> = {}, body?: string) => {
      this.requests.push({ method: request.method ?? '', path, token, status });
      response.writeHead(status, headers).end(body);
    };
    if (!path.startsWith(base)) {
      reply(404, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'not_found', message: 'no such session' } }));
      return;
    }
    if (!role) {
      reply(token ? 403 : 401, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'unauthorized', message: 'no valid token' } }));
      return;
    }
    if (request.method === 'GET' && path === `${base}/state`) {
      if (role === 'spectator' && !this.spectatorsMayFollowState) {
        reply(403, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'forbidden', message: 'players only' } }));
        return;
      }
      this.requests.push({ method: 'GET', path, token, status: 200 });
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(': connected\n\n');
      if (this.current) response.write(`event: session\ndata: ${JSON.stringify(this.current)}\n\n`);
      this.stateClients.add(response);
      response.on('close', () => this.stateClients.delete(response));
      return;
    }
    if (request.method === 'POST' && path === `${base}/whep`) {
      if (this.current?.state !== 'running') {
        reply(409, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'conflict', message: 'not running' } }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const id = this.peers.length + 1;
      const { peer, answerSdp } = await WhepTestPeer.answer(id, role, Buffer.concat(chunks).toString('utf8'));
      this.peers.push(peer);
      reply(201, { 'content-type': 'application/sdp', location: `${base}/whep/${id}` }, answerSdp);
      return;
    }
    const viewer = new RegExp(`^${base}/whep/(\\d+)$`).exec(path);
    if (request.method === 'DELETE' && viewer) {
      await this.peers[Number(viewer[1]) - 1]?.close();
      reply(204);
      return;
    }
    if (request.method === 'DELETE' && path === base) {
      reply(204);
      if (this.current) this.push({ ...this.current, state: 'ended', endReason: 'ended', endedAt: Date.now() });
      return;
    }
    reply(404);
  }
}
