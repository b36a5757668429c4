import type { Logger } from 'pino';
import {
  ConfigAppliedSchema,
  DeviceStatusSchema,
  HeartbeatSchema,
  deviceTopics,
  type CameraConfig,
  type Camera,
  type Device,
  type DeviceConfig,
  type EnrollmentToken,
  type EnrollResponse,
  type DeviceKind,
} from '@sightline/protocol';
import type { CameraRow, DeviceRow, Store } from '../store/store.js';
import type { HubMetrics } from '../metrics.js';
import { randomSecret, sha256Hex } from '../auth/secrets.js';
import type { BrokerCredentialSink } from './device-credentials.js';
import type { CameraOwners } from '../ingest/camera-owners.js';
import { ApiError, notFound } from '../http/api-error.js';

export interface FleetDeps {
  store: Store;
  metrics: HubMetrics;
  log: Logger;
  credentials: BrokerCredentialSink;
  owners: CameraOwners;
  publish: (topic: string, payload: string, opts: { retain: boolean }) => Promise<void>;
  /** The MQTT URL handed to enrolling devices; `host` is the hub host the device used for HTTP. */
  mqttUrlFor: (host: string) => string;
  enrollmentTtlMs: number;
  /** Called after cameras are deleted, so what holds per-camera state (live relays, HLS) lets go of them. */
  onCamerasRemoved?: (cameraIds: string[]) => Promise<void>;
  /** Called after a device is deleted (a streaming host's sessions end). */
  onDeviceRemoved?: (deviceId: string) => Promise<void>;
}

/** Devices, their cameras and their configuration: what the API edits and what devices report back. */
export class Fleet {
  private readonly configChains = new Map<string, Promise<void>>();

  constructor(private readonly deps: FleetDeps) {}

  async createDevice(
    id: string,
    name: string | undefined,
    hubUrl: string,
    kind: DeviceKind = 'edge',
  ): Promise<{ device: Device; enrollment: EnrollmentToken }> {
    const now = Date.now();
    if (await this.deps.store.getDevice(id)) throw new ApiError(409, 'conflict', `device "${id}" already exists`, 'id');
    const token = randomSecret();
    const row: DeviceRow = {
      id,
      name: name ?? null,
      createdAt: now,
      enrollmentTokenHash: sha256Hex(token),
      enrollmentExpiresAt: now + this.deps.enrollmentTtlMs,
      enrolledAt: null,
      mqttPasswordHash: null,
      configVersion: 0,
      appliedVersion: null,
      appliedOk: null,
      appliedErrors: [],
      online: false,
      lastSeenAt: null,
      lastHeartbeat: null,
      outboxDropped: 0,
      kind,
    };
    await this.deps.store.createDevice(row);
    return { device: toDevice(row), enrollment: enrollmentOf(row, token, row.enrollmentExpiresAt!, hubUrl) };
  }

  /** A new one-time token; the device re-enrolls with it and gets fresh credentials (the old ones stop working then). */
  async newEnrollmentToken(id: string, hubUrl: string): Promise<EnrollmentToken> {
    const device = await this.requireDevice(id);
    const token = randomSecret();
    const expiresAt = Date.now() + this.deps.enrollmentTtlMs;
    await this.deps.store.updateDevice(id, { enrollmentTokenHash: sha256Hex(token), enrollmentExpiresAt: expiresAt });
    return enrollmentOf(device, token, expiresAt, hubUrl);
  }

  async enroll(token: string, host: string, kind?: DeviceKind): Promise<EnrollResponse> {
    const now = Date.now();
    const device = await this.deps.store.consumeEnrollmentToken(sha256Hex(token), now, kind);
    if (!device) {
      const what = kind === 'host' ? 'a streaming host' : kind === 'edge' ? 'an edge device' : 'a device';
      throw new ApiError(401, 'invalid_token', `the enrollment token is unknown, used, expired or not one for ${what}; create a new one on the hub`);
    }
    const password = randomSecret();
    // The database first: a session still open with the old password is closed by the sink and cannot log in again.
    await this.deps.store.updateDevice(device.id, { mqttPasswordHash: `sha256$${sha256Hex(password)}`, enrolledAt: now });
    await this.deps.credentials.upsertDevice(device.id, password);
    this.deps.log.info({ deviceId: device.id, kind: device.kind }, 'device enrolled');
    if (device.kind === 'edge') await this.publishConfig(device.id);
    return { deviceId: device.id, kind: device.kind, mqtt: { url: this.deps.mqttUrlFor(host), username: device.id, password } };
  }

  async deleteDevice(id: string): Promise<void> {
    await this.requireDevice(id);
    const cameras = await this.deps.store.listCameras(id);
    await this.deps.store.deleteDevice(id);
    await this.deps.onCamerasRemoved?.(cameras.map((c) => c.id));
    await this.deps.onDeviceRemoved?.(id);
    await this.deps.credentials.removeDevice(id);
    this.deps.owners.invalidate();
    // An empty retained message clears the retained config at the broker.
    await this.deps.publish(deviceTopics(id).config, '', { retain: true });
    await this.refreshOnlineGauge();
  }

  async getDevice(id: string): Promise<Device> {
    return toDevice(await this.requireDevice(id));
  }

  async listDevices(): Promise<Device[]> {
    return (await this.deps.store.listDevices()).map(toDevice);
  }

  async createCamera(deviceId: string, config: CameraConfig): Promise<Camera> {
    const device = await this.requireDevice(deviceId);
    if (device.kind !== 'edge') throw new ApiError(400, 'invalid_request', `"${deviceId}" is a streaming host; cameras belong to edge devices`, 'deviceId');
    if (await this.deps.store.getCamera(config.id)) throw new ApiError(409, 'conflict', `camera "${config.id}" already exists`, 'id');
    const now = Date.now();
    await this.deps.store.createCamera({ id: config.id, deviceId, config, createdAt: now, updatedAt: now });
    this.deps.owners.invalidate();
    await this.publishConfig(deviceId);
    return this.getCamera(config.id);
  }

  async updateCamera(id: string, patch: Partial<Omit<CameraConfig, 'id'>>): Promise<Camera> {
    const current = await this.deps.store.getCamera(id);
    if (!current) throw notFound('camera', id);
    const config: CameraConfig = { ...current.config, ...stripUndefined(patch), id };
    await this.deps.store.updateCamera(id, config, Date.now());
    await this.publishConfig(current.deviceId);
    return this.getCamera(id);
  }

  async deleteCamera(id: string): Promise<void> {
    const current = await this.deps.store.getCamera(id);
    if (!current) throw notFound('camera', id);
    await this.deps.store.deleteCamera(id);
    this.deps.owners.invalidate();
    await this.deps.onCamerasRemoved?.([id]);
    await this.publishConfig(current.deviceId);
  }

  async getCamera(id: string): Promise<Camera> {
    const row = await this.deps.store.getCamera(id);
    if (!row) throw notFound('camera', id);
    const device = await this.requireDevice(row.deviceId);
    return toCamera(row, device);
  }

  async listCameras(deviceId?: string): Promise<Camera[]> {
    const [rows, devices] = await Promise.all([this.deps.store.listCameras(deviceId), this.deps.store.listDevices()]);
    const byId = new Map(devices.map((d) => [d.id, d]));
    return rows.flatMap((r) => {
      const d = byId.get(r.deviceId);
      return d ? [toCamera(r, d)] : [];
    });
  }

  /**
   * Publishes the device's whole configuration, retained, so a device that (re)connects gets it at once. One device's
   * publications run one at a time, each reading the store afresh: the last one out is always the newest config.
   */
  publishConfig(deviceId: string): Promise<void> {
    const previous = this.configChains.get(deviceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.publishConfigNow(deviceId));
    this.configChains.set(deviceId, next);
    void next.finally(() => {
      if (this.configChains.get(deviceId) === next) this.configChains.delete(deviceId);
    }).catch(() => undefined);
    return next;
  }

  private async publishConfigNow(deviceId: string): Promise<void> {
    const device = await this.deps.store.getDevice(deviceId);
    if (!device) return;
    const cameras = await this.deps.store.listCameras(deviceId);
    const config: DeviceConfig = { deviceId, version: device.configVersion, cameras: cameras.map((c) => c.config) };
    await this.deps.publish(deviceTopics(deviceId).config, JSON.stringify(config), { retain: true });
  }

  async publishAllConfigs(): Promise<void> {
    for (const d of await this.deps.store.listDevices()) if (d.enrolledAt !== null && d.kind === 'edge') await this.publishConfig(d.id);
  }

  /** At start nobody is known to be online: devices announce themselves again when they (re)connect. */
  async resetPresence(): Promise<void> {
    for (const d of await this.deps.store.listDevices()) if (d.online) await this.deps.store.updateDevice(d.id, { online: false });
    this.deps.metrics.devicesOnline.set(0);
  }

  async onHeartbeat(deviceId: string, json: unknown): Promise<void> {
    const hb = HeartbeatSchema.safeParse(json);
    if (!hb.success || hb.data.deviceId !== deviceId) return this.reject(deviceId, 'heartbeat', hb.error?.issues[0]?.message ?? 'deviceId mismatch');
    const device = await this.deps.store.getDevice(deviceId);
    if (!device) return;
    await this.deps.store.updateDevice(deviceId, {
      lastHeartbeat: hb.data,
      lastSeenAt: Date.now(),
      online: true,
      outboxDropped: hb.data.outbox.dropped,
    });
    this.deps.metrics.outboxDropped.set({ device: deviceId }, hb.data.outbox.dropped);
    if (!device.online) await this.refreshOnlineGauge();
  }

  async onStatus(deviceId: string, json: unknown): Promise<void> {
    const status = DeviceStatusSchema.safeParse(json);
    if (!status.success) return this.reject(deviceId, 'status', status.error.issues[0]?.message ?? 'invalid');
    if (!(await this.deps.store.getDevice(deviceId))) return;
    await this.deps.store.updateDevice(deviceId, { online: status.data.online, lastSeenAt: Date.now() });
    this.deps.log.info({ deviceId, online: status.data.online }, 'device presence');
    await this.refreshOnlineGauge();
  }

  async onConfigApplied(deviceId: string, json: unknown): Promise<void> {
    const applied = ConfigAppliedSchema.safeParse(json);
    if (!applied.success) return this.reject(deviceId, 'config/applied', applied.error.issues[0]?.message ?? 'invalid');
    await this.deps.store.updateDevice(deviceId, {
      appliedVersion: applied.data.version,
      appliedOk: applied.data.ok,
      appliedErrors: applied.data.errors,
    });
    if (!applied.data.ok) this.deps.log.warn({ deviceId, errors: applied.data.errors }, 'device refused its configuration');
  }

  /** Marks devices offline whose last sign of life is older than `staleMs` (the broker's last will is the fast path). */
  async sweepStale(staleMs: number): Promise<void> {
    const cutoff = Date.now() - staleMs;
    let changed = false;
    for (const d of await this.deps.store.listDevices()) {
      if (d.online && (d.lastSeenAt ?? 0) < cutoff) {
        await this.deps.store.updateDevice(d.id, { online: false });
        changed = true;
      }
    }
    if (changed) await this.refreshOnlineGauge();
  }

  private async refreshOnlineGauge(): Promise<void> {
    const devices = await this.deps.store.listDevices();
    this.deps.metrics.devicesOnline.set(devices.filter((d) => d.online).length);
  }

  private reject(deviceId: string, what: string, message: string): void {
    this.deps.metrics.batchesRejected.inc({ reason: 'invalid' });
    this.deps.log.warn({ deviceId, message }, `${what} message refused`);
  }

  private async requireDevice(id: string): Promise<DeviceRow> {
    const d = await this.deps.store.getDevice(id);
    if (!d) throw notFound('device', id);
    return d;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function enrollmentOf(device: DeviceRow, token: string, expiresAt: number, hubUrl: string): EnrollmentToken {
  return { deviceId: device.id, token, expiresAt, command: `sightline ${device.kind} --hub ${hubUrl} --token ${token}` };
}

export function toDevice(d: DeviceRow): Device {
  const hb = d.lastHeartbeat;
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    createdAt: d.createdAt,
    enrolled: d.enrolledAt !== null,
    online: d.online,
    lastSeenAt: d.lastSeenAt,
    version: hb?.version ?? null,
    cpuPercent: hb?.cpuPercent ?? null,
    memoryBytes: hb?.memoryBytes ?? null,
    configVersion: d.configVersion,
    appliedVersion: d.appliedVersion,
    appliedOk: d.appliedOk,
    appliedErrors: d.appliedErrors,
    cameras: hb?.cameras ?? [],
    outbox: hb ? { pending: hb.outbox.pending, dropped: hb.outbox.dropped, refused: hb.outbox.refused } : null,
  };
}

function toCamera(row: CameraRow, device: DeviceRow): Camera {
  return {
    id: row.id,
    deviceId: row.deviceId,
    config: row.config,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    configVersion: device.configVersion,
    applied: device.appliedVersion === null ? null : device.appliedVersion >= device.configVersion && device.appliedOk === true,
    health: device.lastHeartbeat?.cameras.find((c) => c.cameraId === row.id) ?? null,
  };
}
