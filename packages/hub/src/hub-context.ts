import type { Logger } from 'pino';
import type { Store } from './store/store.js';
import type { BlobStore } from './blobs/blob-store.js';
import type { Fleet } from './fleet/fleet.js';
import type { LiveEventBus } from './live/live-event-bus.js';
import type { HubMetrics } from './metrics.js';
import type { PrincipalResolver } from './auth/principal.js';

/** What the HTTP routes need from the running hub. */
export interface HubContext {
  store: Store;
  blobs: BlobStore;
  fleet: Fleet;
  bus: LiveEventBus;
  metrics: HubMetrics;
  principals: PrincipalResolver;
  log: Logger;
  /** The URL devices and people should use for this hub; derived from the request when unset. */
  publicUrl?: string;
  sessionTtlMs: number;
  /** SSE keep-alive comment interval. */
  streamPingMs: number;
}
