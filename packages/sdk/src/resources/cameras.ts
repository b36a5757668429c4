import { z } from 'zod';
import { CameraSchema, type Camera, type CreateCameraRequest, type UpdateCameraRequest } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const CameraListSchema = z.array(CameraSchema);

/** What `POST /cameras/{id}/live-token` answers: a short-lived token that may only view this camera. */
const LiveTokenSchema = z.object({ token: z.string(), expiresAt: z.number().int(), whepUrl: z.string() });
export type LiveToken = z.infer<typeof LiveTokenSchema>;

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

  /** A view token for the camera's live video and overlay stream (WHEP, HLS), so the caller's credential stays out of URLs. */
  liveToken(id: string, options?: RequestOptions): Promise<LiveToken> {
    return this.transport.json({ method: 'POST', path: `${cameraPath(id)}/live-token`, ...options }, LiveTokenSchema);
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: cameraPath(id), ...options });
  }
}

function cameraPath(id: string): string {
  return `/cameras/${encodeURIComponent(id)}`;
}
