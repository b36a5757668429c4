import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CreateDeviceRequestSchema,
  CreateDeviceResponseSchema,
  DeviceSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
  EnrollmentTokenSchema,
  ResourceIdSchema,
} from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import { defineRoute } from '../define-route.js';
import { hostnameOf, publicUrlOf } from '../public-url.js';

const IdParams = z.object({ id: ResourceIdSchema });

export function registerDeviceRoutes(app: FastifyInstance, ctx: HubContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/devices',
    auth: 'read',
    summary: 'List devices with their health',
    tags: ['devices'],
    response: z.array(DeviceSchema),
    handler: async () => ctx.fleet.listDevices(),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/devices',
    auth: 'admin',
    summary: 'Create a device; returns its one-time enrollment token and the edge command',
    tags: ['devices'],
    body: CreateDeviceRequestSchema,
    response: CreateDeviceResponseSchema,
    status: 201,
    handler: async ({ body, request }) => ctx.fleet.createDevice(body.id, body.name, publicUrlOf(ctx, request), body.kind),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/devices/:id',
    auth: 'read',
    summary: 'One device',
    tags: ['devices'],
    params: IdParams,
    response: DeviceSchema,
    handler: async ({ params }) => ctx.fleet.getDevice(params.id),
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/v1/devices/:id',
    auth: 'admin',
    summary: 'Delete a device and its cameras (its events stay); its credentials stop working',
    tags: ['devices'],
    params: IdParams,
    status: 204,
    handler: async ({ params }) => ctx.fleet.deleteDevice(params.id),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/devices/:id/enrollment-token',
    auth: 'admin',
    summary: 'A new one-time enrollment token (re-enrolling replaces the device credentials)',
    tags: ['devices'],
    params: IdParams,
    response: EnrollmentTokenSchema,
    status: 201,
    handler: async ({ params, request }) => ctx.fleet.newEnrollmentToken(params.id, publicUrlOf(ctx, request)),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/v1/enroll',
    auth: 'self',
    summary: 'Called by `sightline edge|host --token T`: trades a one-time token for device MQTT credentials',
    tags: ['devices'],
    body: EnrollRequestSchema,
    response: EnrollResponseSchema,
    handler: async ({ body, request }) => ctx.fleet.enroll(body.token, hostnameOf(request), body.kind),
  });
}
