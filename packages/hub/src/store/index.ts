import { isAbsolute, join, resolve } from 'node:path';
import type { StoreLogger } from './logger.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export * from './store.js';
export * from './errors.js';
export type { StoreLogger } from './logger.js';
export { SqliteStore } from './sqlite-store.js';
export { PostgresStore } from './postgres-store.js';

export interface StoreOptions {
  /**
   * Where the data lives: unset, `sqlite:` or `sqlite:<path>` or a plain file path for SQLite;
   * `postgres://…` or `postgresql://…` for PostgreSQL.
   */
  url?: string;
  /** The hub's data directory; the default SQLite file is `<dataDir>/hub.sqlite` and relative paths resolve here. */
  dataDir: string;
  logger?: StoreLogger;
}

export const DEFAULT_SQLITE_FILE = 'hub.sqlite';

/** Opens the store the url names. Call `migrate()` before using it. */
export function createStore(options: StoreOptions): Store {
  const target = parseStoreUrl(options.url, options.dataDir);
  return target.backend === 'postgres'
    ? PostgresStore.open(target.connectionString, options.logger)
    : SqliteStore.open(target.path, options.logger);
}

export type StoreTarget = { backend: 'sqlite'; path: string } | { backend: 'postgres'; connectionString: string };

export function parseStoreUrl(url: string | undefined, dataDir: string): StoreTarget {
  const sqliteAt = (path: string): StoreTarget => ({
    backend: 'sqlite',
    path: path === '' ? join(dataDir, DEFAULT_SQLITE_FILE) : path === ':memory:' || isAbsolute(path) ? path : resolve(dataDir, path),
  });
  const trimmed = url?.trim() ?? '';
  if (trimmed === '') return sqliteAt('');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { backend: 'postgres', connectionString: trimmed };
  if (scheme === 'sqlite') {
    // sqlite:/abs/path, sqlite:rel/path and sqlite:///abs/path all name a file.
    const rest = trimmed.slice('sqlite:'.length);
    return sqliteAt(rest.startsWith('//') ? rest.slice(2) : rest);
  }
  // A one-letter "scheme" is a Windows drive (C:\data\hub.sqlite), not a scheme.
  if (scheme === undefined || scheme.length === 1) return sqliteAt(trimmed);
  throw new Error(
    `unsupported store url scheme "${scheme}:" in "${redact(trimmed)}": use postgres://user:password@host:port/database ` +
      'for PostgreSQL, or sqlite:<path> (or a plain file path, or nothing for <dataDir>/hub.sqlite) for SQLite',
  );
}

/** The url without its password, for error messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
