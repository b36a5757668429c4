import { DEFAULT_MIGRATION_TABLE, Migrator } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { staticMigrationProvider } from './migrations.js';
import { SchemaTooNewError } from './store.js';
import type { StoreLogger } from './logger.js';

/**
 * Brings the schema up to date. Refuses, before touching anything, a database that has run a migration this
 * binary does not know: an older hub must not write to a schema it does not understand.
 */
export async function runMigrations(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  logger: StoreLogger | undefined,
  /** Where Kysely's own migration table lives (PostgreSQL: the current schema); undefined for SQLite. */
  migrationTableSchema: string | undefined,
): Promise<void> {
  const known = Object.keys(migrations).sort();
  const executed = await executedMigrationNames(db, migrationTableSchema);
  const unknown = executed.filter((name) => !(name in migrations)).sort();
  if (unknown.length > 0) {
    throw new SchemaTooNewError(unknown[unknown.length - 1] ?? '', known[known.length - 1] ?? '(none)');
  }

  const migrator = new Migrator({
    db,
    provider: staticMigrationProvider(migrations),
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') logger?.info(`store: applied migration ${result.migrationName}`);
    if (result.status === 'Error') logger?.warn(`store: migration ${result.migrationName} failed`);
  }
  if (error !== undefined) {
    throw new Error(`store: migrating the database failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** Names recorded in Kysely's migration table; none when the table does not exist yet (a fresh database). */
async function executedMigrationNames(db: Kysely<unknown>, schema: string | undefined): Promise<string[]> {
  // Other schemas of the same PostgreSQL database may hold other hubs' migration tables: only ours counts.
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const exists = tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE && (schema === undefined || table.schema === schema));
  if (!exists) return [];
  const typed = db as Kysely<{ [DEFAULT_MIGRATION_TABLE]: { name: string } }>;
  const rows = await (schema === undefined ? typed : typed.withSchema(schema))
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select('name')
    .execute();
  return rows.map((row) => row.name);
}
