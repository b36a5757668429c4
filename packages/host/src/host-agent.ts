import { createRequire } from 'node:module';
import { availableParallelism, freemem, totalmem } from 'node:os';
import pino, { type Logger } from 'pino';
import { CpuSampler, credentialsPath, enroll, loadCredentials, saveCredentials, type DeviceCredentials } from '@sightline/device';
import type { IceOptions } from '@sightline/media';
import { SessionCommandSchema, type EncoderInfo, type HostCapacity, type HostHeartbeat, type SessionCommand } from '@sightline/protocol';
import { detectEncoders, type RunAsOption } from '@sightline/streaming';
import { HostLink } from './host-link.js';
import { HostedSession, type StartCommand } from './hosted-session.js';

const require = createRequire(import.meta.url);
export const HOST_VERSION: string = (require('../package.json') as { version: string }).version;

export interface HostOptions {
  dataDir: string;
  /** Needed to enroll; later starts use the stored credentials. */
  hubUrl?: string;
  token?: string;
  reenroll?: boolean;
  /** Concurrent sessions this host offers. Default: one per two cores, at least 1. */
  slots?: number;
  maxWidth?: number;
  maxHeight?: number;
  maxFps?: number;
  /** STUN/TURN for publishing sessions; `loopbackOnly` keeps ICE on 127.0.0.1 (tests). */
  ice?: IceOptions;
  runAs?: RunAsOption;
  heartbeatMs?: number;
  ffmpegPath?: string;
  logger?: Logger;
  logLevel?: string;
}

export interface HostAgent {
  readonly hostId: string;
  readonly capacity: HostCapacity;
  /** Running sessions by id. */
  readonly sessions: ReadonlyMap<string, HostedSession>;
  close(): Promise<void>;
}

export class HostStartError extends Error {
  override readonly name = 'HostStartError';
}

/**
 * `sightline host`: enrolls (or loads its credentials), finds its encoders, connects to the hub's broker, advertises
 * its capacity in heartbeats and runs the sessions the hub places on it. Closing it ends every session.
 */
export async function startHost(options: HostOptions): Promise<HostAgent> {
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'sightline-host' } });
  const credentials = await obtainCredentials(options, log);
  const detection = await detectEncoders({ ffmpegPath: options.ffmpegPath });
  const encoders: EncoderInfo[] = detection.usable.map((e) => ({ codec: e.name, encoder: e.encoder, hardware: e.hardware }));
  if (encoders.length === 0) throw new HostStartError(`no usable video encoder in ${detection.ffmpegPath} (libx264 or libvpx needed)`);
  for (const unusable of detection.unusable) log.info({ encoder: unusable.encoder, reason: unusable.reason }, 'host: encoder not usable');
  const capacity: HostCapacity = {
    slots: options.slots ?? defaultSlots(),
    maxWidth: options.maxWidth ?? 1920,
    maxHeight: options.maxHeight ?? 1080,
    maxFps: options.maxFps ?? 60,
    encoders,
  };
  const hostId = credentials.deviceId;
  const link = new HostLink({ url: credentials.mqtt.url, hostId, username: credentials.mqtt.username, password: credentials.mqtt.password, log });
  const sessions = new Map<string, HostedSession>();
  const cpu = new CpuSampler();
  let closed = false;

  const heartbeat = async () => {
    if (!link.connected) return;
    const message: HostHeartbeat = {
      hostId,
      ts: Date.now(),
      version: HOST_VERSION,
      cpuPercent: cpu.percent(),
      memoryBytes: totalmem() - freemem(),
      capacity,
      sessions: [...sessions.values()].map((s) => ({ sessionId: s.id, state: s.state, stats: s.stats() })),
    };
    await link.publish(link.topics.hostHeartbeat, JSON.stringify(message), 0).catch(() => undefined);
  };
  const timer = setInterval(() => void heartbeat(), options.heartbeatMs ?? 5000);
  link.on('connection', (connected) => {
    if (connected) void heartbeat();
  });

  const report = (payload: string) => link.publish(link.topics.sessionsState, payload).catch((err: unknown) => log.warn({ err }, 'host: state report failed'));

  const start = (command: StartCommand) => {
    if (sessions.has(command.sessionId)) return;
    if (sessions.size >= capacity.slots) {
      void report(JSON.stringify({ sessionId: command.sessionId, state: 'ended', reason: 'start-failed', message: `no free slot on ${hostId}` }));
      return;
    }
    const session = new HostedSession({
      command,
      dataDir: options.dataDir,
      hubUrl: credentials.hubUrl,
      ice: options.ice ?? {},
      runAs: options.runAs,
      encoders: capacity.encoders,
      log,
    });
    sessions.set(session.id, session);
    session.on('report', (state) => {
      if (state.state === 'ended') sessions.delete(session.id);
      void report(JSON.stringify(state));
      void heartbeat();
    });
    log.info({ sessionId: command.sessionId, appId: command.app.id }, 'host: starting a session');
    void session.start();
  };

  link.on('command', (payload) => {
    let command: SessionCommand;
    try {
      const parsed = SessionCommandSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid');
      command = parsed.data;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'host: command refused');
      return;
    }
    if (closed) return;
    if (command.action === 'start') start(command);
    else sessions.get(command.sessionId)?.apply(command);
  });

  log.info({ hostId, capacity }, 'host: ready');
  return {
    hostId,
    capacity,
    sessions,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([...sessions.values()].map((s) => s.end('ended')));
      // Let the last `ended` reports go out before the link closes.
      await new Promise((r) => setTimeout(r, 100));
      await link.close();
    },
  };
}

function defaultSlots(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

async function obtainCredentials(options: HostOptions, log: Logger): Promise<DeviceCredentials> {
  const existing = loadCredentials(options.dataDir);
  if (existing && !options.reenroll) {
    if (options.token) log.info('already enrolled; ignoring --token (use --reenroll to enroll again)');
    return existing;
  }
  if (!options.hubUrl || !options.token) {
    throw new HostStartError(
      `this host is not enrolled (no ${credentialsPath(options.dataDir)}): run sightline host --hub <hub URL> --token <enrollment token>`,
    );
  }
  const response = await enroll(options.hubUrl, options.token, 15_000, 'host');
  const credentials: DeviceCredentials = { hubUrl: options.hubUrl, deviceId: response.deviceId, mqtt: response.mqtt, enrolledAt: Date.now() };
  const path = saveCredentials(options.dataDir, credentials);
  log.info({ hostId: response.deviceId, path }, 'enrolled; credentials stored (mode 0600)');
  return credentials;
}
