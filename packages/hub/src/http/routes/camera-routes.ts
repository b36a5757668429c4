import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CameraSchema, CreateCameraRequestSchema, ResourceIdSchema, UpdateCameraRequestSchema } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';

const IdParams = z.object({ id: ResourceIdSchema });

export function registerCameraRoutes(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras',
    auth: 'read',
    summary: 'List cameras, optionally of one device',
    tags: ['cameras'],
    query: z.object({ deviceId: ResourceIdSchema.optional() }).strict(),
    response: z.array(CameraSchema),
    handler: async ({ query }) => ctx.fleet.listCameras(query.deviceId),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/cameras',
    auth: 'operate',
    summary: 'Add a camera to a device; the device applies it live',
    tags: ['cameras'],
    body: CreateCameraRequestSchema,
    response: CameraSchema,
    status: 201,
    handler: async ({ body }) => {
      const { deviceId, ...config } = body;
      return ctx.fleet.createCamera(deviceId, config);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras/:id',
    auth: 'read',
    summary: 'One camera with its applied state and health',
    tags: ['cameras'],
    params: IdParams,
    response: CameraSchema,
    handler: async ({ params }) => ctx.fleet.getCamera(params.id),
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/v1/cameras/:id',
    auth: 'operate',
    summary: "Change a camera's configuration; only that camera's pipeline restarts on the edge",
    tags: ['cameras'],
    params: IdParams,
    body: UpdateCameraRequestSchema,
    response: CameraSchema,
    handler: async ({ params, body }) => ctx.fleet.updateCamera(params.id, body),
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/cameras/:id',
    auth: 'operate',
    summary: 'Remove a camera (its events stay)',
    tags: ['cameras'],
    params: IdParams,
    status: 204,
    handler: async ({ params }) => ctx.fleet.deleteCamera(params.id),
  });
}
