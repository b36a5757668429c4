import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RtspAuthenticator, type RtspCredentials } from './rtsp-auth.js';
import { spawnRtspPublisher, type PublishOptions, type RtspPublisher } from './rtsp-publisher.js';
import { encodeInterleaved, encodeResponse, RtspWireReader, type InterleavedFrame, type RtspRequest } from './rtsp-wire.js';
import { parseSessionDescription } from './sdp.js';

export type { RtspCredentials } from './rtsp-auth.js';
export type { PublishOptions, RtspPublisher } from './rtsp-publisher.js';

export interface RtspTestServerOptions {
  /** When set, every request must authenticate (401 with a challenge otherwise). */
  credentials?: RtspCredentials;
}

export interface RtspTestServer {
  readonly port: number;
  /** `rtsp://127.0.0.1:<port>/<path>`, with `user:password@` when credentials are given. */
  url(path: string, credentials?: { username: string; password: string }): string;
  /**
   * Start an ffmpeg that pushes `ffmpegInputArgs` (e.g. `['-f', 'lavfi', '-i', 'testsrc2=...']`), encoded
   * as low-latency H.264, into `path` (ANNOUNCE, SETUP, RECORD over TCP). Resolves once the server relays
   * its RTP packets, so readers can DESCRIBE the path.
   */
  publish(path: string, ffmpegInputArgs: readonly string[], options?: PublishOptions): Promise<RtspPublisher>;
  /** How RTP reaches the readers playing `path` now: one entry per reader and track. */
  readerTransports(path: string): ('tcp' | 'udp')[];
  /** Drop the publisher and every reader connection of `path` (the path answers 404 until published again). */
  cut(path: string): void;
  /** Kill every publisher and close every socket. */
  stop(): Promise<void>;
}

type ReaderTransport =
  | { kind: 'tcp'; rtpChannel: number; rtcpChannel: number }
  | { kind: 'udp'; clientRtpPort: number; clientRtcpPort: number; rtp: UdpSocket; rtcp: UdpSocket };

/** A path with a publisher. Readers see it once it records. */
interface MountedStream {
  path: string;
  sdp: string;
  controls: string[];
  publisher: Connection;
  recording: boolean;
  /** Publisher interleaved channel to track index and whether it carries RTCP. */
  channels: Map<number, { track: number; rtcp: boolean }>;
  /** Last RTP sequence number and timestamp seen per track, for RTP-Info. */
  lastRtp: Map<number, { seq: number; timestamp: number }>;
  readers: Set<Connection>;
}

/** State of one TCP connection: a publisher, a reader, or not yet known. */
interface Connection {
  socket: Socket;
  sessionId: string;
  stream: MountedStream | null;
  /** A reader's transport per track it set up. */
  tracks: Map<number, ReaderTransport>;
  /** Requests are answered one at a time, in order, even when one has to wait (binding UDP ports). */
  answered: Promise<void>;
}

const SESSION_TIMEOUT_S = 60;
const PUBLIC_METHODS = 'OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
/** A reader that lets this much queue up is too slow for live video; its packets are dropped as UDP would. */
const MAX_READER_BACKLOG_BYTES = 4 << 20;

const pathOf = (url: string): string => {
  if (url === '*') return '';
  try {
    return decodeURIComponent(new URL(url).pathname).replace(/^\/+|\/+$/g, '');
  } catch {
    return url;
  }
};

/** The two UDP ports of one track, RTP on an even port and RTCP on the next, as RFC 3550 §11 asks. */
async function bindUdpPair(): Promise<{ rtp: UdpSocket; rtcp: UdpSocket }> {
  const bind = (socket: UdpSocket, port: number) =>
    new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const rtp = createSocket('udp4');
    const rtcp = createSocket('udp4');
    if ((await bind(rtp, 0)) && rtp.address().port % 2 === 0 && (await bind(rtcp, rtp.address().port + 1))) {
      // Receiver reports and NAT-punching packets from the reader are not needed by a relay.
      for (const socket of [rtp, rtcp]) socket.on('error', () => {});
      return { rtp, rtcp };
    }
    rtp.close();
    rtcp.close();
  }
  throw new Error('no free even/odd UDP port pair on 127.0.0.1');
}

/**
 * A minimal RTSP relay server for tests (RFC 2326 with RTP per RFC 3550/6184, no transcoding), on
 * 127.0.0.1 and a free port. Publishers push with ANNOUNCE/SETUP/RECORD and TCP-interleaved RTP; readers
 * use OPTIONS/DESCRIBE/SETUP/PLAY/TEARDOWN with RTP over TCP (interleaved) or UDP (client_port).
 */
export async function startRtspTestServer(options: RtspTestServerOptions = {}): Promise<RtspTestServer> {
  const auth = options.credentials ? new RtspAuthenticator(options.credentials) : null;
  const streams = new Map<string, MountedStream>();
  const connections = new Set<Connection>();
  const publishers = new Set<RtspPublisher>();
  const server: Server = createServer((socket) => accept(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = (path: string) => `rtsp://127.0.0.1:${port}/${path}`;

  function accept(socket: Socket): void {
    const connection: Connection = {
      socket,
      sessionId: randomBytes(8).toString('hex'),
      stream: null,
      tracks: new Map(),
      answered: Promise.resolve(),
    };
    connections.add(connection);
    socket.setNoDelay(true);
    const reader = new RtspWireReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) {
          if (message.kind === 'frame') relay(connection, message.frame);
          else {
            const { request } = message;
            connection.answered = connection.answered
              .then(() => handle(connection, request))
              .catch(() => void socket.destroy());
          }
        }
      } catch {
        socket.destroy(); // not RTSP
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => closeConnection(connection));
  }

  function closeConnection(connection: Connection): void {
    connections.delete(connection);
    for (const transport of connection.tracks.values()) {
      if (transport.kind === 'udp') for (const s of [transport.rtp, transport.rtcp]) s.close();
    }
    connection.tracks.clear();
    const stream = connection.stream;
    if (stream?.publisher === connection) cut(stream.path);
    else stream?.readers.delete(connection);
  }

  function cut(path: string): void {
    const stream = streams.get(path);
    if (!stream) return;
    streams.delete(path);
    stream.publisher.socket.destroy();
    for (const reader of stream.readers) reader.socket.destroy();
    stream.readers.clear();
  }

  function relay(from: Connection, frame: InterleavedFrame): void {
    const stream = from.stream;
    // Readers send RTCP receiver reports this way too; a relay has no use for them.
    if (!stream || stream.publisher !== from || !stream.recording) return;
    const route = stream.channels.get(frame.channel);
    if (!route) return;
    if (!route.rtcp && frame.payload.length >= 12) {
      stream.lastRtp.set(route.track, { seq: frame.payload.readUInt16BE(2), timestamp: frame.payload.readUInt32BE(4) });
    }
    for (const reader of stream.readers) {
      const transport = reader.tracks.get(route.track);
      if (!transport) continue;
      if (transport.kind === 'udp') {
        const socket = route.rtcp ? transport.rtcp : transport.rtp;
        socket.send(frame.payload, route.rtcp ? transport.clientRtcpPort : transport.clientRtpPort, '127.0.0.1');
      } else if (reader.socket.writableLength < MAX_READER_BACKLOG_BYTES) {
        reader.socket.write(encodeInterleaved(route.rtcp ? transport.rtcpChannel : transport.rtpChannel, frame.payload));
      }
    }
  }

  async function handle(connection: Connection, request: RtspRequest): Promise<void> {
    const cseq = request.headers.get('cseq');
    const reply = (status: number, headers: Record<string, string> = {}, body = '') => {
      if (!connection.socket.destroyed) connection.socket.write(encodeResponse(status, cseq, headers, body));
    };
    if (auth && !auth.accepts(request.method, request.headers.get('authorization'))) {
      return reply(401, { 'WWW-Authenticate': auth.challenge });
    }
    const session = { Session: `${connection.sessionId};timeout=${SESSION_TIMEOUT_S}` };
    const givenSession = request.headers.get('session')?.split(';')[0];
    if (givenSession !== undefined && givenSession !== connection.sessionId) return reply(454);
    const path = pathOf(request.url);
    switch (request.method) {
      case 'OPTIONS':
        return reply(200, { Public: PUBLIC_METHODS });
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return reply(200, session); // keep-alive
      case 'DESCRIBE': {
        const stream = streams.get(path);
        if (!stream?.recording) return reply(404);
        return reply(
          200,
          { 'Content-Base': `${baseUrl(path)}/`, 'Content-Type': 'application/sdp' },
          stream.sdp,
        );
      }
      case 'ANNOUNCE':
        return announce(connection, path, request, reply);
      case 'SETUP':
        return setup(connection, request, reply, session);
      case 'RECORD': {
        const stream = connection.stream;
        if (stream?.publisher !== connection || stream.channels.size === 0) return reply(455);
        stream.recording = true;
        return reply(200, session);
      }
      case 'PLAY': {
        const stream = connection.stream;
        if (!stream || stream.publisher === connection || connection.tracks.size === 0) return reply(455);
        if (streams.get(stream.path) !== stream) return reply(404); // the publisher left after SETUP
        stream.readers.add(connection);
        const rtpInfo = [...connection.tracks.keys()].flatMap((track) => {
          const last = stream.lastRtp.get(track);
          const url = `${baseUrl(stream.path)}/${stream.controls[track]}`;
          return last ? [`url=${url};seq=${(last.seq + 1) & 0xffff};rtptime=${last.timestamp}`] : [];
        });
        return reply(200, {
          ...session,
          Range: 'npt=0.000-',
          ...(rtpInfo.length > 0 ? { 'RTP-Info': rtpInfo.join(',') } : {}),
        });
      }
      case 'TEARDOWN':
        reply(200, session);
        connection.socket.end();
        return;
      default:
        return reply(405, { Allow: PUBLIC_METHODS });
    }
  }

  function announce(connection: Connection, path: string, request: RtspRequest, reply: (s: number) => void): void {
    if (!/^application\/sdp\b/i.test(request.headers.get('content-type') ?? '')) return reply(400);
    if (streams.has(path) || connection.stream) return reply(455);
    let description;
    try {
      description = parseSessionDescription(request.body.toString('utf8'));
    } catch {
      return reply(400);
    }
    connection.stream = {
      path,
      sdp: description.text,
      controls: description.controls,
      publisher: connection,
      recording: false,
      channels: new Map(),
      lastRtp: new Map(),
      readers: new Set(),
    };
    streams.set(path, connection.stream);
    reply(200);
  }

  async function setup(
    connection: Connection,
    request: RtspRequest,
    reply: (status: number, headers?: Record<string, string>) => void,
    session: Record<string, string>,
  ): Promise<void> {
    const publishing = connection.stream?.publisher === connection;
    // A reader's SETUP URL is the stream's Content-Base plus a track control: find the stream by prefix.
    const requestPath = pathOf(request.url);
    const stream = publishing
      ? connection.stream
      : [...streams.values()].find((s) => s.recording && (requestPath === s.path || requestPath.startsWith(`${s.path}/`)));
    if (!stream || (connection.stream !== null && connection.stream !== stream)) return reply(404);
    const track = trackOf(stream, request.url, requestPath);
    if (track < 0) return reply(404);
    // Offered transports are comma-separated, best first; take the first one supported.
    for (const offer of (request.headers.get('transport') ?? '').split(',')) {
      const params = offer.trim().split(';');
      const profile = params[0]?.toUpperCase();
      const value = (name: string) => params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
      const range = (text: string | undefined) => (text ?? '').split('-').map(Number);
      if (profile === 'RTP/AVP/TCP' && value('interleaved') !== undefined) {
        const [rtp = NaN, rtcp = rtp + 1] = range(value('interleaved'));
        if (!(rtp >= 0 && rtp <= 255 && rtcp >= 0 && rtcp <= 255)) continue;
        if (publishing) {
          stream.channels.set(rtp, { track, rtcp: false });
          stream.channels.set(rtcp, { track, rtcp: true });
        } else {
          connection.tracks.set(track, { kind: 'tcp', rtpChannel: rtp, rtcpChannel: rtcp });
        }
        connection.stream = stream;
        return reply(200, { ...session, Transport: `RTP/AVP/TCP;unicast;interleaved=${rtp}-${rtcp}` });
      }
      if ((profile === 'RTP/AVP' || profile === 'RTP/AVP/UDP') && !publishing && value('client_port') !== undefined) {
        const [clientRtpPort = NaN, clientRtcpPort = clientRtpPort + 1] = range(value('client_port'));
        if (!(clientRtpPort > 0 && clientRtpPort < 65536 && clientRtcpPort > 0 && clientRtcpPort < 65536)) continue;
        const { rtp, rtcp } = await bindUdpPair();
        if (connection.socket.destroyed) {
          rtp.close();
          rtcp.close();
          return;
        }
        connection.tracks.set(track, { kind: 'udp', clientRtpPort, clientRtcpPort, rtp, rtcp });
        connection.stream = stream;
        const serverPorts = `${rtp.address().port}-${rtcp.address().port}`;
        return reply(200, {
          ...session,
          Transport: `RTP/AVP;unicast;client_port=${clientRtpPort}-${clientRtcpPort};server_port=${serverPorts}`,
        });
      }
    }
    reply(461);
  }

  /** The track a SETUP URL names: its control relative to the path, an absolute control, or the only track. */
  function trackOf(stream: MountedStream, url: string, requestPath: string): number {
    const relative = requestPath.slice(stream.path.length + 1);
    const index = stream.controls.findIndex((control) => control === relative || control === url);
    if (index >= 0) return index;
    return stream.controls.length === 1 && requestPath === stream.path ? 0 : -1;
  }

  /** Whether `path` records and the server has relayed at least one RTP packet of it. */
  function isRelaying(path: string): boolean {
    const stream = streams.get(path);
    return stream !== undefined && stream.recording && stream.lastRtp.size > 0;
  }

  const url = (path: string, credentials?: { username: string; password: string }) => {
    const userinfo = credentials
      ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`
      : '';
    return `rtsp://${userinfo}127.0.0.1:${port}/${path}`;
  };

  return {
    port,
    url,
    async publish(path, ffmpegInputArgs, publishOptions = {}) {
      const publisher = await spawnRtspPublisher({
        path,
        url: url(path, options.credentials),
        inputArgs: ffmpegInputArgs,
        options: publishOptions,
        isRelaying: () => isRelaying(path),
        dropPath: () => cut(path),
      });
      publishers.add(publisher);
      return publisher;
    },
    readerTransports: (path) =>
      [...(streams.get(path)?.readers ?? [])].flatMap((reader) => [...reader.tracks.values()].map((t) => t.kind)),
    cut,
    async stop() {
      await Promise.all([...publishers].map((p) => p.stop()));
      for (const path of [...streams.keys()]) cut(path);
      for (const connection of connections) connection.socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
