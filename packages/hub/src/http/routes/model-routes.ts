import type { FastifyInstance } from 'fastify';
import { ModelListSchema, type ModelInfo, type ModelManifest, type ModelUser } from '@sightline/protocol';
import type { HubContext } from '../../hub-context.js';
import type { CameraRow } from '../../store/store.js';
import { defineRoute } from '../define-route.js';

/**
 * The models the hub knows (the catalogue it was started with: `sightline hub` passes the vision package's) and, for
 * each, the cameras that run it; models cameras name that the catalogue does not know (a package path on the edge)
 * are listed too, with what little the hub knows of them: their name and their cameras.
 */
export function modelList(catalogue: readonly ModelManifest[], cameras: readonly CameraRow[]): ModelInfo[] {
  const users = new Map<string, ModelUser[]>();
  const use = (model: string, user: ModelUser) => users.set(model, [...(users.get(model) ?? []), user]);
  for (const camera of cameras) {
    const who = { cameraId: camera.id, deviceId: camera.deviceId, name: camera.config.name ?? null, enabled: camera.config.enabled };
    use(camera.config.model, { ...who, use: 'detection' });
    if (camera.config.privacy?.blur === 'faces') use(camera.config.privacy.faceModel, { ...who, use: 'face-blur' });
  }
  const known = catalogue.map(
    (m): ModelInfo => ({
      name: m.name,
      inCatalogue: true,
      description: m.description ?? null,
      family: m.family,
      version: m.version,
      license: m.license ?? null,
      input: { width: m.input.width, height: m.input.height },
      labels: m.labels,
      sizeBytes: m.sizeBytes ?? null,
      url: m.url ?? null,
      cameras: users.get(m.name) ?? [],
    }),
  );
  const names = new Set(catalogue.map((m) => m.name));
  const others = [...users.entries()]
    .filter(([name]) => !names.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([name, cameras]): ModelInfo => ({
        name,
        inCatalogue: false,
        description: null,
        family: null,
        version: null,
        license: null,
        input: null,
        labels: [],
        sizeBytes: null,
        url: null,
        cameras,
      }),
    );
  return [...known, ...others];
}

export function registerModelRoutes(app: FastifyInstance, ctx: HubContext, catalogue: readonly ModelManifest[]): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/v1/models',
    auth: 'read',
    summary: 'Models: the catalogue the hub knows and the models cameras name, each with the cameras that run it (for detection or face blurring)',
    tags: ['models'],
    response: ModelListSchema,
    handler: async () => ({ models: modelList(catalogue, await ctx.store.listCameras()) }),
  });
}
