import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives at packages/vision/{src,dist}/util/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Where the shared test and benchmark data lives: $SIGHTLINE_SHARED_DATA, else ../shared/data beside
 * the repository. See its MANIFEST.md for formats and licences.
 */
export function sharedDataDir(): string {
  return process.env.SIGHTLINE_SHARED_DATA ?? resolve(REPO_ROOT, '../shared/data');
}

export function sharedDataPath(relative: string): string {
  return resolve(sharedDataDir(), relative);
}

/** The path of a shared data file, or a loud error saying exactly what is missing and where it was looked for. */
export function requireSharedData(relative: string): string {
  const p = sharedDataPath(relative);
  if (!existsSync(p)) {
    throw new Error(
      `SHARED TEST DATA MISSING: ${relative} was not found at ${p}. ` +
        `Put the shared data set (see MANIFEST.md) at ../shared/data beside the repository or set SIGHTLINE_SHARED_DATA.`,
    );
  }
  return p;
}
