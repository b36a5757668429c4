import { z } from 'zod';
import { ApiKeyCreatedSchema, ApiKeySchema, type ApiKey, type ApiKeyCreated, type CreateApiKeyRequest } from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

const ApiKeyListSchema = z.array(ApiKeySchema);

export class ApiKeysResource {
  constructor(private readonly transport: Transport) {}

  list(options?: RequestOptions): Promise<ApiKey[]> {
    return this.transport.json({ method: 'GET', path: '/api-keys', ...options }, ApiKeyListSchema);
  }

  /** The answer's `key` is the secret; the hub shows it only this once. */
  create(request: CreateApiKeyRequest, options?: RequestOptions): Promise<ApiKeyCreated> {
    return this.transport.json({ method: 'POST', path: '/api-keys', body: request, ...options }, ApiKeyCreatedSchema);
  }

  revoke(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: `/api-keys/${encodeURIComponent(id)}`, ...options });
  }
}
