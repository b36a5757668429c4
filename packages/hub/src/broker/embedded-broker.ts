import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from 'pino';
import { TOPIC_ROOT } from '@sightline/protocol';
import type { Store } from '../store/store.js';
import type { HubMetrics } from '../metrics.js';
import { randomSecret, sha256Hex } from '../auth/secrets.js';
import { MqttPacketSizeLimit, PacketTooLargeError } from './mqtt-packet-size-limit.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** null disables MQTT over WebSocket; 0 picks a free port. */
  wsPort: number | null;
  maxPacketBytes: number;
  store: Store;
  metrics: HubMetrics;
  log: Logger;
}

const HUB_USERNAME = 'sightline-hub';
const deviceOf = new WeakMap<Client, string>();

/**
 * The built-in MQTT broker (aedes over TCP and WebSocket). Devices log in with the credentials they got at
 * enrollment and are confined to their own topic subtree; the hub logs in with a secret generated per process.
 */
export class EmbeddedBroker {
  readonly hubPassword = randomSecret();
  private tcp?: Server;
  private wss?: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  port = 0;
  wsPort = 0;

  private constructor(
    private readonly aedes: Aedes,
    private readonly options: EmbeddedBrokerOptions,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const aedes = await Aedes.createBroker({ heartbeatInterval: 60_000, connectTimeout: 10_000 });
    const broker = new EmbeddedBroker(aedes, options);
    broker.installAuth();
    await broker.listen();
    return broker;
  }

  get hubUsername(): string {
    return HUB_USERNAME;
  }

  private installAuth(): void {
    const { store, log, metrics, maxPacketBytes } = this.options;
    const refuse = (reason: string, fields: Record<string, unknown>, message: string) => {
      metrics.batchesRejected.inc({ reason });
      log.warn(fields, message);
    };

    this.aedes.authenticate = (client, username, password, done) => {
      const secret = password?.toString('utf8') ?? '';
      const fail = () => {
        log.warn({ clientId: client.id, username }, 'mqtt login refused');
        const err = Object.assign(new Error('bad username or password'), { returnCode: 4 });
        done(err, false);
      };
      if (!username) return fail();
      if (username === HUB_USERNAME) {
        if (secret === this.hubPassword) return done(null, true);
        return fail();
      }
      store
        .getDevice(username)
        .then((device) => {
          const ok = !!device?.mqttPasswordHash && device.mqttPasswordHash === `sha256$${sha256Hex(secret)}`;
          if (!ok) return fail();
          if (client.id !== username) {
            log.warn({ clientId: client.id, username }, 'mqtt login refused: a device must use its id as client id');
            return done(Object.assign(new Error('client id must be the device id'), { returnCode: 2 }), false);
          }
          deviceOf.set(client, username);
          done(null, true);
        })
        .catch((err: unknown) => {
          log.error({ err }, 'mqtt login check failed');
          fail();
        });
    };

    this.aedes.authorizePublish = (client, packet, done) => {
      if (!client) return done(null); // the broker's own will/retained messages
      const deviceId = deviceOf.get(client);
      if (deviceId === undefined) return done(null); // the hub
      if (!packet.topic.startsWith(`${TOPIC_ROOT}/${deviceId}/`)) {
        refuse('wrong_topic', { deviceId, topic: packet.topic }, 'mqtt publish refused: topic outside the device subtree');
        return done(new Error('not authorized'));
      }
      if (packet.payload.length > maxPacketBytes) {
        refuse('oversized', { deviceId, bytes: packet.payload.length }, 'mqtt publish refused: payload over the size limit');
        return done(new Error('payload too large'));
      }
      done(null);
    };

    this.aedes.authorizeSubscribe = (client, sub, done) => {
      const deviceId = deviceOf.get(client);
      if (deviceId === undefined) return done(null, sub);
      const own = `${TOPIC_ROOT}/${deviceId}/`;
      if (!sub.topic.startsWith(own)) {
        refuse('wrong_topic', { deviceId, topic: sub.topic }, 'mqtt subscribe refused: topic outside the device subtree');
        return done(null, null);
      }
      done(null, sub);
    };

    this.aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    this.aedes.on('connectionError', (client, err) => log.debug({ clientId: client?.id, err: err.message }, 'mqtt connection error'));
  }

  private async listen(): Promise<void> {
    const { host, port, wsPort, maxPacketBytes, log, metrics } = this.options;
    /** The connection as aedes reads it: cut as soon as a packet announces a length over the limit. */
    const limitPackets = (connection: Duplex, remote: string | undefined, cut: () => void): Duplex => {
      const limit = new MqttPacketSizeLimit(maxPacketBytes + 1024);
      limit.on('error', (err) => {
        if (err instanceof PacketTooLargeError) {
          metrics.batchesRejected.inc({ reason: 'oversized' });
          log.warn({ remote, err: err.message }, 'mqtt connection closed: packet over the size limit');
        }
        cut();
      });
      connection.pipe(limit);
      return Duplex.from({ readable: limit, writable: connection });
    };
    this.tcp = createServer((socket) => {
      // Acks and config are small writes that must not wait for Nagle's algorithm and a delayed TCP ACK (~40 ms).
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      this.aedes.handle(limitPackets(socket, socket.remoteAddress, () => socket.destroy()));
    });
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once('error', reject);
      this.tcp!.listen(port, host, () => resolve());
    });
    this.port = (this.tcp.address() as { port: number }).port;

    if (wsPort !== null) {
      this.wss = new WebSocketServer({ host, port: wsPort, maxPayload: maxPacketBytes + 1024 });
      this.wss.on('connection', (ws, req) => {
        let cut = false;
        ws.on('error', (err: Error & { code?: string }) => {
          // ws refuses a message over maxPayload itself; count and log it like the TCP size limit does (once: the
          // packet's header may already have been refused by the limit below).
          if (err.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || cut) return;
          metrics.batchesRejected.inc({ reason: 'oversized' });
          log.warn({ remote: req.socket.remoteAddress, err: err.message }, 'mqtt connection closed: packet over the size limit');
        });
        const stream = createWebSocketStream(ws);
        stream.on('error', () => ws.terminate());
        // maxPayload bounds one WebSocket message, but an MQTT packet may span many of them.
        const limited = limitPackets(stream, req.socket.remoteAddress, () => {
          cut = true;
          ws.terminate();
        });
        this.aedes.handle(limited, req);
      });
      await new Promise<void>((resolve, reject) => {
        this.wss!.once('error', reject);
        this.wss!.once('listening', () => resolve());
      });
      this.wsPort = (this.wss.address() as { port: number }).port;
    }
  }

  /**
   * Ends a device's open session (after it was deleted or re-enrolled): credentials are checked at login, so
   * without this an already connected device would keep its session.
   */
  disconnectDevice(deviceId: string): void {
    const clients = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
    const client = clients[deviceId];
    if (client && deviceOf.get(client) === deviceId) {
      this.options.log.info({ deviceId }, 'device session closed: credentials revoked');
      client.close();
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await Promise.all([
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve())),
    ]);
  }
}
