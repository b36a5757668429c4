import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelManifestSchema, parseOrThrow, type ModelManifest } from '@sightline/protocol';

/** packages/vision/catalog: manifests and official download addresses, never weights. */
export const CATALOG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../catalog');

let cached: ModelManifest[] | undefined;

/** Every catalogue manifest, validated. A broken catalogue file is a bug, so it throws. */
export function catalogModels(dir: string = CATALOG_DIR): ModelManifest[] {
  if (dir === CATALOG_DIR && cached) return cached;
  const models = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseOrThrow(ModelManifestSchema, JSON.parse(readFileSync(join(dir, f), 'utf8')), `catalogue manifest ${f}`));
  if (dir === CATALOG_DIR) cached = models;
  return models;
}

export function findCatalogModel(name: string, dir?: string): ModelManifest | undefined {
  return catalogModels(dir).find((m) => m.name === name);
}

export function findCatalogModelBySha256(sha256: string, dir?: string): ModelManifest | undefined {
  return catalogModels(dir).find((m) => m.sha256 === sha256 || m.equivalentSha256.includes(sha256));
}
