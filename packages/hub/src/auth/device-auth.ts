import { z } from 'zod';
import { ResourceIdSchema } from '@sightline/protocol';
import type { Store } from '../store/store.js';
import { sameDigest, sha256Hex } from './secrets.js';

/** A device proven by its MQTT credentials over HTTP (recording uploads). */
export interface DevicePrincipal {
  deviceId: string;
}

const BasicHeaderSchema = z.string().max(1024).regex(/^Basic [A-Za-z0-9+/=]+$/);
const DeviceLoginSchema = z.object({ deviceId: ResourceIdSchema, password: z.string().min(1).max(256) });

/** `Authorization: Basic base64(deviceId:password)` as id and password; undefined when the header is not that. */
export function parseBasicCredentials(header: string | undefined): { deviceId: string; password: string } | undefined {
  const parsed = BasicHeaderSchema.safeParse(header);
  if (!parsed.success) return undefined;
  const decoded = Buffer.from(parsed.data.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const login = DeviceLoginSchema.safeParse({ deviceId: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
  return login.success ? login.data : undefined;
}

/**
 * Checks a device's HTTP credentials: the same id and generated password it logs in to MQTT with (the hub keeps a
 * sha256 of the password, `sha256$<hex>`, as the embedded broker checks it). A device that was deleted or
 * re-enrolled with a new password is refused at once.
 */
export class DeviceAuthenticator {
  constructor(private readonly store: Store) {}

  async authenticate(header: string | undefined): Promise<DevicePrincipal | undefined> {
    const login = parseBasicCredentials(header);
    if (!login) return undefined;
    const device = await this.store.getDevice(login.deviceId);
    const stored = device?.mqttPasswordHash;
    if (!stored?.startsWith('sha256$')) return undefined;
    return sameDigest(stored.slice(7), sha256Hex(login.password)) ? { deviceId: login.deviceId } : undefined;
  }
}
