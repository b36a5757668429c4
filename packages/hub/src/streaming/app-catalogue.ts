import { AppSchema, CreateAppRequestSchema, UpdateAppRequestSchema, type App, type CreateAppRequest, type UpdateAppRequest } from '@sightline/protocol';
import type { Store } from '../store/store.js';
import { ApiError, notFound } from '../http/api-error.js';

/** The catalogue of apps players can start: what to run on a host, at which size and rate, with which input. */
export class AppCatalogue {
  constructor(private readonly store: Store) {}

  list(): Promise<App[]> {
    return this.store.listApps();
  }

  async get(id: string): Promise<App> {
    const app = await this.store.getApp(id);
    if (!app) throw notFound('app', id);
    return app;
  }

  async create(request: CreateAppRequest): Promise<App> {
    const fields = CreateAppRequestSchema.parse(request);
    if (await this.store.getApp(fields.id)) throw new ApiError(409, 'conflict', `app "${fields.id}" already exists`, 'id');
    const now = Date.now();
    const app = AppSchema.parse({ ...fields, createdAt: now, updatedAt: now });
    await this.store.createApp(app);
    return app;
  }

  /** Adds the apps the catalogue does not have yet (an administrator's later edits are kept). */
  async seed(apps: readonly CreateAppRequest[]): Promise<void> {
    for (const app of apps) if (!(await this.store.getApp(app.id))) await this.create(app);
  }

  async update(id: string, patch: UpdateAppRequest): Promise<App> {
    const current = await this.get(id);
    const parsed = UpdateAppRequestSchema.parse(patch);
    // zod fills a partial schema's defaults too (args: []): only the fields the caller sent replace stored ones.
    const sent = new Set(Object.keys(patch as object));
    const fields = Object.fromEntries(Object.entries(parsed).filter(([key, value]) => sent.has(key) && value !== undefined));
    const app = AppSchema.parse({ ...current, ...fields, id, updatedAt: Date.now() });
    if (!(await this.store.updateApp(app))) throw notFound('app', id);
    return app;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.deleteApp(id))) throw notFound('app', id);
  }
}
