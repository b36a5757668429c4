import { z } from 'zod';
import {
  CreateDeviceResponseSchema,
  DeviceSchema,
  EnrollmentTokenSchema,
  EnrollResponseSchema,
  type CreateDeviceRequest,
  type CreateDeviceResponse,
  type Device,
  type EnrollmentToken,
  type EnrollRequest,
  type EnrollResponse,
} from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const DeviceListSchema = z.array(DeviceSchema);

export class DevicesResource {
  constructor(private readonly transport: Transport) {}

  list(options?: RequestOptions): Promise<Device[]> {
    return this.transport.json({ method: 'GET', path: '/devices', ...options }, DeviceListSchema);
  }

  /** Registers a device and returns its first enrollment token. */
  create(request: CreateDeviceRequest, options?: RequestOptions): Promise<CreateDeviceResponse> {
    return this.transport.json({ method: 'POST', path: '/devices', body: request, ...options }, CreateDeviceResponseSchema);
  }

  get(id: string, options?: RequestOptions): Promise<Device> {
    return this.transport.json({ method: 'GET', path: devicePath(id), ...options }, DeviceSchema);
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: devicePath(id), ...options });
  }

  /** A fresh one-time token; the previous one stops working. */
  newEnrollmentToken(id: string, options?: RequestOptions): Promise<EnrollmentToken> {
    return this.transport.json({ method: 'POST', path: `${devicePath(id)}/enrollment-token`, ...options }, EnrollmentTokenSchema);
  }

  /** Used by an edge agent: trades a one-time token (the credential, so no API key is needed) for MQTT credentials. */
  enroll(request: EnrollRequest, options?: RequestOptions): Promise<EnrollResponse> {
    return this.transport.json({ method: 'POST', path: '/enroll', body: request, ...options }, EnrollResponseSchema);
  }
}

function devicePath(id: string): string {
  return `/devices/${encodeURIComponent(id)}`;
}
