import { mkdirSync } from 'node:fs';
import { hubInstanceId, hubSecret } from './hub-instance-id.js';
import type { IceOptions } from '@sightline/media';
import { MediaTokens } from './auth/media-token.js';
import { LiveService } from './live/live-service.js';
import { LiveOverlays } from './live/live-overlays.js';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createStore } from './store/index.js';
import type { Store } from './store/store.js';
import { FsBlobStore } from './blobs/fs-blob-store.js';
import { HubMetrics } from './metrics.js';
import { LiveEventBus } from './live/live-event-bus.js';
import { PrincipalResolver } from './auth/principal.js';
import { EmbeddedBroker } from './broker/embedded-broker.js';
import { HubMqttLink, redact } from './broker/hub-mqtt-link.js';
import { connectExternalBroker } from './broker/external-broker.js';
import { Fleet } from './fleet/fleet.js';
import type { BrokerCredentialSink } from './fleet/device-credentials.js';
import { CameraOwners } from './ingest/camera-owners.js';
import { EventIngest } from './ingest/event-ingest.js';
import { defaultConsoleDir } from './http/console-static.js';
import { buildApp } from './http/app.js';
import { Retention } from './retention.js';
import { RecordingService } from './recordings/recording-service.js';
import { RecordingRetention } from './recordings/recording-retention.js';
import { HUB_VERSION } from './version.js';
import { StreamingService } from './streaming/streaming-service.js';
import { HubSettingsService } from './settings/hub-settings.js';
import type { CreateAppRequest, ModelManifest } from '@sightline/protocol';

export interface HubOptions {
  dataDir: string;
  /** `postgres://…` for PostgreSQL; unset (or a file path) for SQLite in dataDir. */
  db?: string;
  /** An external broker, `mqtt://user:password@host:port`, whose user administers mosquitto's dynamic security. */
  mqtt?: string;
  /** The MQTT URL given to enrolling devices; by default derived from the host they used for HTTP. */
  mqttPublicUrl?: string;
  host?: string;
  port?: number;
  mqttPort?: number;
  /** MQTT over WebSocket for the embedded broker; null disables it. */
  mqttWsPort?: number | null;
  publicUrl?: string;
  logger?: Logger;
  logLevel?: string;
  retentionDays?: number;
  bodyLimitBytes?: number;
  maxMqttPayloadBytes?: number;
  heartbeatStaleMs?: number;
  enrollmentTtlMs?: number;
  sessionTtlMs?: number;
  streamPingMs?: number;
  /** STUN/TURN servers for live video; none works on one host. `loopbackOnly` keeps ICE on 127.0.0.1 (tests). */
  ice?: IceOptions;
  /** How long a camera keeps publishing after its last viewer left. Default 15 s. */
  liveGraceMs?: number;
  /** An HLS rendition nobody requested for this long stops. Default 30 s. */
  hlsIdleMs?: number;
  /** Budget for all cameras' recordings together; past it the oldest segments are deleted first. Default: none. */
  recordingsMaxBytes?: number;
  /** The largest recording segment accepted. Default 64 MiB (RECORDING_SEGMENT_MAX_BYTES). */
  recordingsMaxSegmentBytes?: number;
  /** How often recording retention (per-camera days, the size budget) runs. Default 5 minutes. */
  recordingsRetentionIntervalMs?: number;
  /** Lifetime of a token from POST /cameras/{id}/recordings-token. Default 30 minutes. */
  recordingTokenTtlMs?: number;
  /** Apps added to the cloud-streaming catalogue at start when it has none of that id (e.g. from `--apps FILE`). */
  apps?: CreateAppRequest[];
  /** Cloud streaming: how long a player who lost the connection may take to come back. Default 60 s. */
  streamReconnectGraceMs?: number;
  /** The console's build directory (`vite build` output). Default: the installed @sightline/console package's. */
  consoleDir?: string;
  /** The model catalogue `GET /models` lists (`sightline hub` passes the vision package's). Default: none. */
  modelCatalogue?: readonly ModelManifest[];
}

export interface Hub {
  readonly url: string;
  /** Where devices connect (embedded broker TCP, or the external broker without its admin credentials). */
  readonly mqttUrl: string;
  readonly mqttWsUrl: string | null;
  readonly store: Store;
  readonly app: FastifyInstance;
  readonly log: Logger;
  close(): Promise<void>;
}

/** Starts a hub: store (migrated), broker (embedded or external), MQTT link, HTTP API, retention, recordings. */
export async function startHub(options: HubOptions): Promise<Hub> {
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { service: 'sightline-hub' } });
  mkdirSync(options.dataDir, { recursive: true });
  const maxMqttPayloadBytes = options.maxMqttPayloadBytes ?? 4 * 1024 * 1024;
  const host = options.host ?? '127.0.0.1';

  const store = await createStore({ url: options.db, dataDir: options.dataDir, logger: log });
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
  };
  try {
    await store.migrate();
    const metrics = new HubMetrics();
    const bus = new LiveEventBus();
    const blobs = new FsBlobStore(join(options.dataDir, 'blobs'));
    const owners = new CameraOwners(store);
    const recordings = new RecordingService({
      store,
      metrics,
      log,
      dir: join(options.dataDir, 'recordings'),
      maxSegmentBytes: options.recordingsMaxSegmentBytes,
      onStored: (total) => recordingRetention.onStored(total),
    });
    await recordings.start();
    cleanups.push(async () => recordings.stop());
    const recordingRetention = new RecordingRetention({
      store,
      recordings,
      log,
      maxBytes: options.recordingsMaxBytes,
      intervalMs: options.recordingsRetentionIntervalMs,
    });

    let link: HubMqttLink;
    let credentials: BrokerCredentialSink;
    let deviceMqttUrl: (hostname: string) => string;
    let mqttWsUrl: string | null = null;
    if (options.mqtt) {
      const external = await connectExternalBroker(options.mqtt, `sightline-hub-${hubInstanceId(options.dataDir)}`, log);
      cleanups.push(() => external.close());
      credentials = external.credentials;
      link = await HubMqttLink.connect({ ...external.linkLogin, maxPayloadBytes: maxMqttPayloadBytes, log, onRejected: (r) => metrics.batchesRejected.inc({ reason: r }) });
      const publicUrl = options.mqttPublicUrl ?? external.deviceUrl;
      deviceMqttUrl = () => publicUrl;
      log.info({ broker: redact(options.mqtt) }, 'using external MQTT broker');
    } else {
      const broker = await EmbeddedBroker.start({
        host,
        port: options.mqttPort ?? 1883,
        wsPort: options.mqttWsPort === undefined ? 8083 : options.mqttWsPort,
        maxPacketBytes: maxMqttPayloadBytes,
        store,
        metrics,
        log,
      });
      cleanups.push(() => broker.close());
      credentials = {
        upsertDevice: async (deviceId) => broker.disconnectDevice(deviceId),
        removeDevice: async (deviceId) => broker.disconnectDevice(deviceId),
      };
      link = await HubMqttLink.connect({
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: broker.hubUsername,
        password: broker.hubPassword,
        maxPayloadBytes: maxMqttPayloadBytes,
        log,
        onRejected: (r) => metrics.batchesRejected.inc({ reason: r }),
      });
      mqttWsUrl = broker.wsPort ? `ws://${displayHost(host)}:${broker.wsPort}/mqtt` : null;
      deviceMqttUrl = (hostname) => options.mqttPublicUrl ?? `mqtt://${hostname}:${broker.port}`;
    }
    cleanups.push(() => link.close());

    const publish = (topic: string, payload: string, opts: { retain?: boolean } = {}) => link.publish(topic, payload, { qos: 1, retain: opts.retain ?? false });
    const fleet = new Fleet({
      store,
      metrics,
      log,
      credentials,
      owners,
      publish: (topic, payload, opts) => publish(topic, payload, opts),
      mqttUrlFor: deviceMqttUrl,
      enrollmentTtlMs: options.enrollmentTtlMs ?? 24 * 3_600_000,
      onDeviceRemoved: async (deviceId) => streamingRef.service?.forgetHost(deviceId),
      onCamerasRemoved: async (cameraIds) => {
        for (const id of cameraIds) overlays.forget(id);
        await live.forget(cameraIds);
        await recordings.forgetCameras(cameraIds);
      },
    });
    const overlays = new LiveOverlays({
      ownerOf: async (cameraId) => (await store.getCamera(cameraId))?.deviceId,
      log,
      onRejected: (reason) => metrics.batchesRejected.inc({ reason: `overlay_${reason}` }),
    });
    const ingest = new EventIngest({ store, blobs, bus, metrics, owners, log, publish: (t, p) => publish(t, p) });
    // Created once the media tokens exist, below; a host's messages before that are dropped (it repeats them).
    const streamingRef: { service?: StreamingService } = {};
    link.setHandler(async (kind, deviceId, payload) => {
      if (kind === 'events') return ingest.handle(deviceId, payload);
      let json: unknown;
      try {
        json = payload.length === 0 ? undefined : JSON.parse(payload.toString('utf8'));
      } catch {
        metrics.batchesRejected.inc({ reason: 'malformed' });
        log.warn({ deviceId, kind }, 'device message refused: not JSON');
        return;
      }
      if (json === undefined) return; // a cleared retained message
      if (kind === 'liveOverlay') return overlays.onDeviceMessage(deviceId, json);
      if (kind === 'heartbeat') return fleet.onHeartbeat(deviceId, json);
      if (kind === 'hostHeartbeat') return streamingRef.service?.onHostHeartbeat(deviceId, json);
      if (kind === 'sessionState') return streamingRef.service?.onStateReport(deviceId, json);
      if (kind === 'status') {
        await fleet.onStatus(deviceId, json);
        const online = (json as { online?: unknown } | null)?.online;
        if (online === false) await streamingRef.service?.onHostStatus(deviceId, false);
        return;
      }
      return fleet.onConfigApplied(deviceId, json);
    });
    await fleet.resetPresence();
    await fleet.publishAllConfigs();

    const staleMs = options.heartbeatStaleMs ?? 90_000;
    const sweep = setInterval(() => void fleet.sweepStale(staleMs).catch((err: unknown) => log.warn({ err }, 'presence sweep failed')), Math.min(staleMs, 30_000));
    sweep.unref();
    cleanups.push(async () => clearInterval(sweep));

    // Event retention and ICE servers: start options, unless an administrator has changed them since (stored).
    const settings = await HubSettingsService.load({
      store,
      log,
      startup: { eventRetentionDays: options.retentionDays, ice: options.ice },
      recordingsMaxBytes: options.recordingsMaxBytes,
    });
    const retention = new Retention({ store, blobs, log, days: () => settings.eventRetentionDays });
    settings.onChange((changed) => {
      if (changed.includes('eventRetentionDays')) retention.runSoon();
    });
    retention.start();
    cleanups.push(async () => {
      retention.stop();
      await retention.idle();
    });
    recordingRetention.start();
    cleanups.push(async () => {
      recordingRetention.stop();
      await recordingRetention.idle();
    });

    const tokens = new MediaTokens(hubSecret(options.dataDir, 'media-secret'));
    const live = new LiveService({
      store,
      tokens,
      log,
      // Shared with the settings, which replace its iceServers in place when an administrator changes them.
      ice: settings.liveIce,
      publish: (topic, payload) => publish(topic, payload),
      graceMs: options.liveGraceMs ?? 15_000,
      publishTokenTtlMs: 12 * 3_600_000,
      hlsDir: join(options.dataDir, 'hls'),
      hlsIdleMs: options.hlsIdleMs,
    });
    cleanups.push(() => live.close());
    const streamingService = new StreamingService({
      store,
      tokens,
      log,
      ice: settings.liveIce,
      publish: (topic, payload) => publish(topic, payload),
      hubUrl: options.publicUrl ?? `http://${displayHost(host)}:${options.port ?? 8080}`,
      reconnectGraceMs: options.streamReconnectGraceMs,
      recordingsDir: join(options.dataDir, 'session-recordings'),
    });
    streamingRef.service = streamingService;
    await streamingService.apps.seed(options.apps ?? []);
    cleanups.push(() => streamingService.close());

    const ctx = {
      store,
      blobs,
      fleet,
      bus,
      metrics,
      principals: new PrincipalResolver(store),
      log,
      publicUrl: options.publicUrl,
      sessionTtlMs: options.sessionTtlMs ?? 12 * 3_600_000,
      streamPingMs: options.streamPingMs ?? 15_000,
    };
    const app = await buildApp(ctx, {
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      version: HUB_VERSION,
      live: { live, tokens, viewTokenTtlMs: 10 * 60_000, overlays },
      recordings: { recordings, tokens, tokenTtlMs: options.recordingTokenTtlMs ?? 30 * 60_000 },
      consoleDir: options.consoleDir ?? defaultConsoleDir(),
      settings,
      modelCatalogue: options.modelCatalogue ?? [],
      streaming: { streaming: streamingService, tokens, spectateTokenTtlMs: 2 * 3_600_000 },
    });
    await app.listen({ host, port: options.port ?? 8080 });
    cleanups.push(() => app.close());
    const address = app.server.address() as { port: number };
    const url = `http://${displayHost(host)}:${address.port}`;
    log.info({ url, docs: `${url}/docs`, backend: store.backend }, 'hub listening');

    return {
      url,
      mqttUrl: deviceMqttUrl(displayHost(host)),
      mqttWsUrl,
      store,
      app,
      log,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

const displayHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
