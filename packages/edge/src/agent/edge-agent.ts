import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { DeviceConfigSchema, LiveCommandSchema, type ConfigApplied, type Heartbeat } from '@sightline/protocol';
import type { IceOptions } from '@sightline/media';
import { LivePublishers } from '../live/live-publishers.js';
import { overlayFrameOf } from '../live/overlay-frame.js';
import { PrivacyRegions } from '../live/privacy-regions.js';
import { CameraFeeds } from '../cameras/camera-feeds.js';
import { PrivacyTranscoders } from '../live/privacy-transcoders.js';
import { CameraRecordings } from '../recording/camera-recordings.js';
import { RecordingUploader } from '../recording/recording-uploader.js';
import type { FrameSourceOptions } from '@sightline/vision';
import { Outbox } from '../outbox/outbox.js';
import { OutboxSender } from '../outbox/sender.js';
import type { EventTransport } from '../outbox/transport.js';
import { DeviceLink } from '../link/device-link.js';
import { CameraSupervisor } from '../cameras/camera-supervisor.js';
import { DetectorCache } from '../cameras/detector-cache.js';
import { SnapshotMaker } from '../cameras/snapshot-maker.js';
import { CpuSampler, enroll, loadCredentials, saveCredentials, credentialsPath, type DeviceCredentials } from '@sightline/device';
import { EDGE_VERSION } from './version.js';

export interface EdgeOptions {
  dataDir: string;
  /** Needed to enroll; later starts use the stored credentials. */
  hubUrl?: string;
  token?: string;
  /** Enroll again with `token` even if credentials exist. */
  reenroll?: boolean;
  heartbeatMs?: number;
  /** Outbox disk budget; past it the oldest undelivered events are dropped (and counted). */
  outboxBudgetBytes?: number;
  ackTimeoutMs?: number;
  workers?: number;
  threadsPerWorker?: number;
  logger?: Logger;
  logLevel?: string;
  /** Test hook passed to every frame source. */
  frameSource?: Partial<FrameSourceOptions>;
  /** STUN/TURN for publishing live video to the hub; `loopbackOnly` keeps ICE on 127.0.0.1 (tests). */
  liveIce?: IceOptions;
  /** Disk budget for recorded segments waiting for the hub; past it the oldest are dropped (and counted). */
  recordingBudgetBytes?: number;
}

export interface EdgeAgent {
  readonly deviceId: string;
  readonly live: LivePublishers;
  readonly outbox: Outbox;
  readonly supervisor: CameraSupervisor;
  readonly recordings: CameraRecordings;
  close(): Promise<void>;
}

export class EdgeStartError extends Error {
  override readonly name = 'EdgeStartError';
}

/** Starts the edge agent: credentials (enrolling if needed), outbox and sender, MQTT link, cameras, heartbeats. */
export async function startEdge(options: EdgeOptions): Promise<EdgeAgent> {
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'sightline-edge' } });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const credentials = await obtainCredentials(options, log);

  const outbox = Outbox.open(join(options.dataDir, 'outbox.sqlite'), { budgetBytes: options.outboxBudgetBytes ?? 512 * 1024 * 1024 });
  const link = new DeviceLink({
    url: credentials.mqtt.url,
    deviceId: credentials.deviceId,
    username: credentials.mqtt.username,
    password: credentials.mqtt.password,
    log,
  });
  const transport: EventTransport = {
    get connected() {
      return link.connected;
    },
    publish: (topic, payload) => link.publish(topic, payload, 1),
    onAck: (listener) => {
      link.on('ack', listener);
      return () => link.off('ack', listener);
    },
    onConnectionChange: (listener) => {
      link.on('connection', listener);
      return () => link.off('connection', listener);
    },
  };
  const sender = new OutboxSender(outbox, transport, { deviceId: credentials.deviceId, ackTimeoutMs: options.ackTimeoutMs, logger: log });
  sender.start();

  const detectors = new DetectorCache({ workers: options.workers, threadsPerWorker: options.threadsPerWorker });
  const uploader = RecordingUploader.forDevice(credentials, {
    dir: join(options.dataDir, 'recordings', 'pending'),
    budgetBytes: options.recordingBudgetBytes ?? 2 * 1024 ** 3,
    log,
  });
  uploader.start();

  const feeds = new CameraFeeds(log);
  const privacyRegions = new Map<string, PrivacyRegions>();
  const privacyRegionsOf = (cameraId: string) => {
    const blur = supervisor.runner(cameraId)?.config.privacy?.blur ?? 'none';
    if (blur === 'none') return undefined;
    let regions = privacyRegions.get(cameraId);
    if (!regions) {
      const wanted = blur === 'persons' ? 'person' : 'face';
      regions = new PrivacyRegions({ matches: (d) => d.label === wanted });
      privacyRegions.set(cameraId, regions);
    }
    return regions;
  };
  const transcoders = new PrivacyTranscoders({ log, feedOf: (cameraId) => feeds.get(cameraId), privacyRegionsOf, faceDetectors: detectors });
  const recordings = new CameraRecordings({ dir: join(options.dataDir, 'recordings', 'cameras'), uploader, feeds, transcoders, log });
  // Created after the supervisor (it needs it); analysed frames only reach it once it exists.
  const live: { current?: LivePublishers } = {};
  const supervisor = new CameraSupervisor(
    {
      detectors,
      snapshots: new SnapshotMaker(),
      log,
      feeds,
      frameSource: options.frameSource,
      onAnalysed: (camera, output) => {
        const { result } = output;
        const pts = Math.round(result.pts * 90_000);
        // Persons come from the camera's own analysis; faces from a face detector on the published pictures.
        if (camera.privacy?.blur === 'persons') privacyRegionsOf(camera.id)?.record(pts, result.detections);
        if (!live.current?.isPublishing(camera.id) || !link.connected) return;
        const frame = overlayFrameOf(result, feeds.get(camera.id)?.wallClockOf(pts) ?? Date.now());
        // QoS 0: an overlay that comes late is worthless, so none is queued or retried.
        link.publish(link.topics.liveOverlay, JSON.stringify(frame), 0).catch(() => undefined);
      },
      sink: (events, snapshots) => {
        try {
          outbox.append(events, snapshots);
        } catch (err) {
          log.error({ err }, 'outbox append failed');
        }
        recordings.markEvents(events);
      },
    },
    log,
  );

  const publishers = new LivePublishers({
    log,
    ice: options.liveIce ?? {},
    cameraOf: (cameraId) => supervisor.runner(cameraId)?.config,
    feedOf: (cameraId) => feeds.get(cameraId),
    transcoders,
  });
  live.current = publishers;

  link.on('live', (payload) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const command = LiveCommandSchema.safeParse(json);
    if (!command.success) return log.warn({ issue: command.error.issues[0]?.message }, 'live command refused: invalid');
    void publishers.handle(command.data).catch((err: unknown) => log.warn({ err: (err as Error).message, cameraId: command.data.cameraId }, 'live publishing failed'));
  });

  link.on('config', (payload) => void applyConfig(payload).catch((err: unknown) => log.error({ err }, 'applying the configuration failed')));
  async function applyConfig(payload: Buffer): Promise<void> {
    if (payload.length === 0) {
      log.warn('the hub removed this device; stopping every camera');
      await supervisor.apply({ deviceId: credentials.deviceId, version: 0, cameras: [] });
      return;
    }
    let applied: ConfigApplied;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = DeviceConfigSchema.safeParse(json);
    if (!parsed.success) {
      const version = typeof (json as { version?: unknown })?.version === 'number' ? (json as { version: number }).version : 0;
      applied = {
        version,
        ok: false,
        errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      };
      log.warn({ errors: applied.errors }, 'configuration refused');
    } else {
      applied = await supervisor.apply(parsed.data);
      // A removed camera stops publishing; a changed picture (source, privacy masks) publishes again.
      await publishers.refresh();
      await recordings.sync(supervisor.cameraIds.flatMap((id) => supervisor.runner(id)?.config ?? []));
      log.info({ version: applied.version, ok: applied.ok, cameras: supervisor.cameraIds }, 'configuration applied');
    }
    await link.publish(link.topics.configApplied, JSON.stringify(applied)).catch((err: unknown) => log.warn({ err }, 'could not report the applied config'));
  }

  const cpu = new CpuSampler();
  const heartbeat = async () => {
    if (!link.connected) return;
    const stats = outbox.stats();
    const hb: Heartbeat = {
      deviceId: credentials.deviceId,
      ts: Date.now(),
      version: EDGE_VERSION,
      configVersion: supervisor.appliedVersion,
      cpuPercent: cpu.percent(),
      memoryBytes: process.memoryUsage().rss,
      cameras: await supervisor.health(),
      outbox: { pending: stats.pending, bytes: stats.pendingBytes, dropped: stats.dropped, refused: stats.refused },
      recordings: (({ pending, pendingBytes, dropped, refused }) => ({ pending, bytes: pendingBytes, dropped, refused }))(uploader.stats),
    };
    await link.publish(link.topics.heartbeat, JSON.stringify(hb), 0);
  };
  const timer = setInterval(() => void heartbeat().catch((err: unknown) => log.warn({ err }, 'heartbeat failed')), options.heartbeatMs ?? 10_000);
  link.on('connection', (up) => {
    if (up) void heartbeat().catch(() => undefined);
  });

  log.info({ deviceId: credentials.deviceId, mqtt: credentials.mqtt.url }, 'edge agent started');
  let closed = false;
  return {
    deviceId: credentials.deviceId,
    outbox,
    supervisor,
    live: publishers,
    recordings,
    close: async () => {
      if (closed) return;
      closed = true;
      // A config or live command arriving while shutting down would start cameras or ffmpeg that nothing stops.
      link.removeAllListeners('config');
      link.removeAllListeners('live');
      clearInterval(timer);
      await publishers.stopAll();
      await recordings.stopAll();
      await supervisor.stopAll();
      await uploader.stop();
      await detectors.closeAll();
      // Give the sender a moment to hand over what the cameras produced last; what is left stays in the outbox.
      const deadline = Date.now() + 2000;
      while (link.connected && outbox.stats().pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await sender.stop();
      await link.close();
      outbox.close();
    },
  };
}

async function obtainCredentials(options: EdgeOptions, log: Logger): Promise<DeviceCredentials> {
  const existing = loadCredentials(options.dataDir);
  if (existing && !options.reenroll) {
    if (options.token) log.info('already enrolled; ignoring --token (use --reenroll to enroll again)');
    return existing;
  }
  if (!options.hubUrl || !options.token) {
    throw new EdgeStartError(
      `this device is not enrolled (no ${credentialsPath(options.dataDir)}): run sightline edge --hub <hub URL> --token <enrollment token>`,
    );
  }
  const response = await enroll(options.hubUrl, options.token);
  const credentials: DeviceCredentials = { hubUrl: options.hubUrl, deviceId: response.deviceId, mqtt: response.mqtt, enrolledAt: Date.now() };
  const path = saveCredentials(options.dataDir, credentials);
  log.info({ deviceId: response.deviceId, path }, 'enrolled; credentials stored (mode 0600)');
  return credentials;
}
