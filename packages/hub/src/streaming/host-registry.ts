import { HostHeartbeatSchema, type Host, type HostHeartbeat } from '@sightline/protocol';
import type { DeviceRow } from '../store/store.js';

interface HostState {
  heartbeat: HostHeartbeat;
  receivedAt: number;
}

/**
 * What each streaming host last said about itself (capacity, running sessions), kept in memory: a host repeats it
 * every few seconds, so a restarted hub knows it again within one interval. A host whose heartbeats stop for
 * `staleMs`, or whose broker session ends, is not offered sessions.
 */
export class HostRegistry {
  readonly #hosts = new Map<string, HostState>();
  readonly #offline = new Set<string>();

  constructor(private readonly staleMs: number) {}

  /** Validates and records a heartbeat; returns it, or the reason it was refused. */
  record(hostId: string, json: unknown, now = Date.now()): HostHeartbeat | string {
    const parsed = HostHeartbeatSchema.safeParse(json);
    if (!parsed.success) return parsed.error.issues[0]?.message ?? 'invalid';
    if (parsed.data.hostId !== hostId) return `heartbeat of "${parsed.data.hostId}" published by "${hostId}"`;
    this.#hosts.set(hostId, { heartbeat: parsed.data, receivedAt: now });
    this.#offline.delete(hostId);
    return parsed.data;
  }

  setOffline(hostId: string): void {
    this.#offline.add(hostId);
  }

  forget(hostId: string): void {
    this.#hosts.delete(hostId);
    this.#offline.delete(hostId);
  }

  isAvailable(hostId: string, now = Date.now()): boolean {
    const state = this.#hosts.get(hostId);
    return state !== undefined && !this.#offline.has(hostId) && now - state.receivedAt <= this.staleMs;
  }

  /** Hosts that can take sessions now, with their last heartbeat. */
  available(now = Date.now()): HostHeartbeat[] {
    return [...this.#hosts.entries()].filter(([id]) => this.isAvailable(id, now)).map(([, state]) => state.heartbeat);
  }

  /** Hosts that have gone stale since their last heartbeat (to end their sessions). */
  stale(now = Date.now()): string[] {
    return [...this.#hosts.keys()].filter((id) => !this.isAvailable(id, now));
  }

  describe(device: DeviceRow, sessions: number, now = Date.now()): Host {
    const state = this.#hosts.get(device.id);
    return {
      id: device.id,
      name: device.name,
      online: device.online && this.isAvailable(device.id, now),
      enrolled: device.enrolledAt !== null,
      lastSeenAt: device.lastSeenAt,
      version: state?.heartbeat.version ?? null,
      cpuPercent: state?.heartbeat.cpuPercent ?? null,
      capacity: state?.heartbeat.capacity ?? null,
      sessions,
    };
  }
}
