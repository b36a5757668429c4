import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelPackageFromFile, type ModelPackage } from '../../src/detect/model-package.js';
import { requireSharedData } from '../../src/util/shared-data.js';

export const catalogDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../catalog');

/** A catalogue manifest paired with the shared-data copy of its weights. */
export function sharedModel(catalogName: string, sharedPath: string): ModelPackage {
  const manifest: unknown = JSON.parse(readFileSync(join(catalogDir, `${catalogName}.json`), 'utf8'));
  return modelPackageFromFile(requireSharedData(sharedPath), manifest);
}
