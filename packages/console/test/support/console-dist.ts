import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONSOLE_DIST_DIR = join(PACKAGE_DIR, 'dist', 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The hub serves the production build, so it must match the sources: when index.html is missing or older than any
 * source (or the player and SDK builds it bundles), the console is built first (tsc -b for its dependencies, then vite).
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIST_DIR, 'index.html');
  const inputs = [join(PACKAGE_DIR, 'src'), join(PACKAGE_DIR, 'index.html'), join(PACKAGE_DIR, '..', 'player', 'src'), join(PACKAGE_DIR, '..', 'sdk', 'src')];
  const newestInput = Math.max(...inputs.map((p) => (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)));
  if (existsSync(index) && statSync(index).mtimeMs >= newestInput) return;
  const require = createRequire(import.meta.url);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', PACKAGE_DIR], { stdio: 'inherit' });
  // vite's package exports do not include its bin script: find it beside its package.json.
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: PACKAGE_DIR, stdio: 'inherit' });
}
