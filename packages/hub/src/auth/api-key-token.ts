import { newId } from '@sightline/protocol';
import { randomSecret, sha256Hex } from './secrets.js';

/**
 * API keys and session tokens share one format, `sl_<keyId>_<secret>`: the id finds the row without scanning,
 * the secret proves possession. Only the secret's sha256 is stored.
 */
const TOKEN_PATTERN = /^sl_([0-9a-f-]{36})_([A-Za-z0-9_-]{20,})$/;

export function newApiKeyToken(): { id: string; token: string; secretHash: string } {
  const id = newId();
  const secret = randomSecret();
  return { id, token: `sl_${id}_${secret}`, secretHash: sha256Hex(secret) };
}

export function parseApiKeyToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}
