import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PLAYER_DIST_DIR = join(PACKAGE_DIR, 'dist');

/**
 * The browser loads the compiled module, so it must match the sources: when any dist file is missing or older
 * than its source, the package is built (`tsc -b packages/player`) first.
 */
export function ensurePlayerBuilt(): void {
  const srcDir = join(PACKAGE_DIR, 'src');
  const stale = readdirSync(srcDir)
    .filter((file) => file.endsWith('.ts'))
    .some((file) => {
      const built = join(PLAYER_DIST_DIR, file.replace(/\.ts$/, '.js'));
      return !existsSync(built) || statSync(built).mtimeMs < statSync(join(srcDir, file)).mtimeMs;
    });
  if (!stale) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', PACKAGE_DIR], { stdio: 'inherit' });
}
