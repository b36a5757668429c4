import type { Role, Scope, Store } from '../store/store.js';
import { parseApiKeyToken } from './api-key-token.js';
import { sameDigest, sha256Hex } from './secrets.js';

/** Who is calling: resolved from an API key or a sign-in session token (both are api_keys rows). */
export interface Principal {
  keyId: string;
  scope: Scope;
  userId: string | null;
}

const SCOPE_RANK: Record<Scope, number> = { read: 0, operate: 1, admin: 2 };

export const scopeAllows = (held: Scope, needed: Scope) => SCOPE_RANK[held] >= SCOPE_RANK[needed];

export const scopeOfRole = (role: Role): Scope => (role === 'admin' ? 'admin' : role === 'operator' ? 'operate' : 'read');

/**
 * Looks a token up and checks it; `lastUsedAt` is written at most once a minute per key so a busy client does not
 * turn every read into a write.
 */
export class PrincipalResolver {
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async resolve(token: string | undefined, now = Date.now()): Promise<Principal | undefined> {
    if (!token) return undefined;
    const parsed = parseApiKeyToken(token);
    if (!parsed) return undefined;
    const row = await this.store.getApiKey(parsed.id);
    if (!row || row.revokedAt !== null) return undefined;
    if (row.expiresAt !== null && row.expiresAt <= now) return undefined;
    if (!sameDigest(row.secretHash, sha256Hex(parsed.secret))) return undefined;
    if ((this.touched.get(row.id) ?? 0) < now - 60_000) {
      this.touched.set(row.id, now);
      await this.store.touchApiKey(row.id, now);
    }
    return { keyId: row.id, scope: row.scope, userId: row.userId };
  }
}
