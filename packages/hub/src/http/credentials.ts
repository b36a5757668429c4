import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'sightline_token';

/**
 * The caller's token from, in order: the Authorization header (API clients), the session cookie (the console), or
 * `?access_token=` (EventSource, media players and links, which cannot set headers).
 */
export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const cookie = request.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) return rest.join('=');
    }
  }
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.access_token;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}
