import { HubSettingsSchema, type HubSettings, type UpdateHubSettingsRequest } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

/** The hub's run-time settings: event retention and ICE servers (admins change them), the recordings budget. */
export class SettingsResource {
  constructor(private readonly transport: Transport) {}

  get(options?: RequestOptions): Promise<HubSettings> {
    return this.transport.json({ method: 'GET', path: '/settings', ...options }, HubSettingsSchema);
  }

  /** Changes the settings given (admin); the hub stores them and applies them at once. */
  update(request: UpdateHubSettingsRequest, options?: RequestOptions): Promise<HubSettings> {
    return this.transport.json({ method: 'PATCH', path: '/settings', body: request, ...options }, HubSettingsSchema);
  }
}
