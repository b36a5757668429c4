import { z } from 'zod';
import { HostSchema, type Host } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const HostListSchema = z.array(HostSchema);

/**
 * Cloud-streaming hosts with their capacity and load. A host is created and enrolled as a device of kind `host`:
 * `devices.create({ id, kind: 'host' })` returns the one-time token and the `sightline host` command.
 */
export class HostsResource {
  constructor(private readonly transport: Transport) {}

  list(options?: RequestOptions): Promise<Host[]> {
    return this.transport.json({ method: 'GET', path: '/hosts', ...options }, HostListSchema);
  }
}
