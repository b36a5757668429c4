import { z } from 'zod';
import { CameraSchema, type Camera, type CreateCameraRequest, type UpdateCameraRequest } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const CameraListSchema = z.array(CameraSchema);

export interface CameraListQuery {
  deviceId?: string;
}

export class CamerasResource {
  constructor(private readonly transport: Transport) {}

  list(query: CameraListQuery = {}, options?: RequestOptions): Promise<Camera[]> {
    return this.transport.json({ method: 'GET', path: '/cameras', query, ...options }, CameraListSchema);
  }

  create(request: CreateCameraRequest, options?: RequestOptions): Promise<Camera> {
    return this.transport.json({ method: 'POST', path: '/cameras', body: request, ...options }, CameraSchema);
  }

  get(id: string, options?: RequestOptions): Promise<Camera> {
    return this.transport.json({ method: 'GET', path: cameraPath(id), ...options }, CameraSchema);
  }

  /** Fields given replace the stored ones; the hub pushes the new config to the camera's device. */
  update(id: string, request: UpdateCameraRequest, options?: RequestOptions): Promise<Camera> {
    return this.transport.json({ method: 'PATCH', path: cameraPath(id), body: request, ...options }, CameraSchema);
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: cameraPath(id), ...options });
  }
}

function cameraPath(id: string): string {
  return `/cameras/${encodeURIComponent(id)}`;
}
