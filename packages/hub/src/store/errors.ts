/** Errors the store raises for conditions a caller can act on (as opposed to a broken database). */
export type StoreErrorCode = 'conflict' | 'not_found';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The row would duplicate a unique key (an id or a username that already exists). */
export class StoreConflictError extends StoreError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'StoreConflictError';
  }
}

/** A row the operation depends on (such as a camera's device) does not exist. */
export class StoreNotFoundError extends StoreError {
  constructor(message: string) {
    super('not_found', message);
    this.name = 'StoreNotFoundError';
  }
}

/** True for a unique or primary-key violation from either backend. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = (err as { code: unknown }).code;
  // 23505 is PostgreSQL's unique_violation; better-sqlite3 reports SQLite's extended result code names.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
