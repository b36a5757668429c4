import { z } from 'zod';
import {
  AppSchema,
  StreamSessionSchema,
  type App,
  type CreateAppRequest,
  type CreateSessionRequest,
  type StreamSession,
  type UpdateAppRequest,
} from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const AppListSchema = z.array(AppSchema);

/** The cloud-streaming catalogue: apps a host can run. Anyone signed in lists them and plays; admins edit them. */
export class AppsResource {
  constructor(private readonly transport: Transport) {}

  list(options?: RequestOptions): Promise<App[]> {
    return this.transport.json({ method: 'GET', path: '/apps', ...options }, AppListSchema);
  }

  /** Adds an app (admin). Fields left out take the protocol's defaults (1280×720, 30 fps, H.264, …). */
  create(request: CreateAppRequest, options?: RequestOptions): Promise<App> {
    return this.transport.json({ method: 'POST', path: '/apps', body: request, ...options }, AppSchema);
  }

  /** Fields given replace the stored ones (admin); running sessions keep what they started with. */
  update(id: string, request: UpdateAppRequest, options?: RequestOptions): Promise<App> {
    return this.transport.json({ method: 'PATCH', path: appPath(id), body: request, ...options }, AppSchema);
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: appPath(id), ...options });
  }

  /**
   * Asks for a session of the app: the hub places it on a host with a free slot (`starting`) or queues it (`queued`,
   * with its position); `{ record: true }` also records it on the hub. Follow it with `sessions.state`, play it with
   * the player's CloudPlayer.
   */
  startSession(id: string, request: CreateSessionRequest = {}, options?: RequestOptions): Promise<StreamSession> {
    return this.transport.json({ method: 'POST', path: `${appPath(id)}/sessions`, body: request, ...options }, StreamSessionSchema);
  }
}

function appPath(id: string): string {
  return `/apps/${encodeURIComponent(id)}`;
}
