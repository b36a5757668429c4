import { ModelListSchema, type ModelInfo } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

export class ModelsResource {
  constructor(private readonly transport: Transport) {}

  /** The catalogue the hub knows and the models cameras name, each with the cameras that run it. */
  async list(options?: RequestOptions): Promise<ModelInfo[]> {
    return (await this.transport.json({ method: 'GET', path: '/models', ...options }, ModelListSchema)).models;
  }
}
