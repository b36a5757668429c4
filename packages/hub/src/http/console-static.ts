import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Serves the console's production build (a single-page app) for every GET that no API route answered. Its files hold
 * no data (everything comes from the API, which checks credentials), so they are public. Unknown paths get
 * index.html, so that a reload of /cameras/gate opens that page; the API, the docs and /metrics keep their JSON 404.
 */
export type ConsoleFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

/** Where `vite build` writes the console inside its package. */
const BUILD_SUBDIR = join('dist', 'web');

/** Paths that belong to the server, never to the console. */
const SERVER_PREFIXES = ['/api/', '/docs', '/metrics'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's own code only: no inline scripts, media and API on this origin. WebRTC is not covered by CSP
 * (connect-src does not apply to peer connections). Inline styles are allowed because the chart library sets them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT_PAGE = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sightline hub</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The Sightline console is not built</h1>
<p>This hub serves the console from <code>${escapeHtml(dir)}</code>, which has no <code>index.html</code>.
Build it in the repository with <code>npm run build</code> (or only the console: <code>npm run build -w @sightline/console</code>)
and reload this page. The API works without it: <a href="/docs">/docs</a> describes it.</p>
</body></html>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The console build beside the hub in this installation (the workspace package), or undefined when not installed. */
export function defaultConsoleDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@sightline/console/package.json');
    return join(dirname(manifest), BUILD_SUBDIR);
  } catch {
    return undefined;
  }
}

/** A file inside `root` for a URL path, or undefined when the path would leave it or names no file. */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  try {
    return statSync(candidate).isFile() ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A not-found fallback that answers console paths. `dir` is checked on every request (a stat), so building the
 * console while the hub runs needs no restart; undefined (not installed) answers the "not built" page.
 */
export function consoleFallback(dir: string | undefined): ConsoleFallback {
  const root = dir === undefined ? undefined : normalize(dir);
  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = request.url.split('?')[0] ?? '/';
    if (SERVER_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix))) return false;
    const index = root === undefined ? undefined : join(root, 'index.html');
    if (root === undefined || index === undefined || !existsSync(index)) {
      void reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE(dir ?? '(the @sightline/console package, not installed)'));
      return true;
    }
    const asset = path === '/' ? undefined : fileFor(root, path);
    // A missing asset (a stale hashed file name) must not turn into index.html: the browser would run HTML as a script.
    if (!asset && path.startsWith('/assets/')) return false;
    const file = asset ?? index;
    const hashed = asset !== undefined && path.startsWith('/assets/');
    void reply
      .status(200)
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .send(readFileSync(file));
    return true;
  };
}
