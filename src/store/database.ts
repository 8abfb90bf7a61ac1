import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';

import { migrations } from './migrations.js';
import type { Database } from './schema.js';

export type StoreKind = 'sqlite' | 'postgres';

/** The one storage interface: a typed query builder over SQLite or PostgreSQL. */
export interface Store {
  db: Kysely<Database>;
  kind: StoreKind;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  databaseSchema: string;
}

/** Opens the configured back end and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.databaseSchema)
    : openSqlite(options.dataDir);
  await migrate(store.db, options.databaseUrl ? options.databaseSchema : undefined);
  return store;
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = new BetterSqlite3(join(dataDir, 'deskhand.db'));
  file.pragma('journal_mode = WAL');
  // NORMAL keeps every committed transaction across a crash of the process; only a power
  // loss can roll back the last ones, which FULL would prevent at a third of the speed.
  file.pragma('synchronous = NORMAL');
  file.pragma('busy_timeout = 5000');
  file.pragma('foreign_keys = ON');

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

async function openPostgres(databaseUrl: string, schema: string): Promise<Store> {
  await ensureSchema(databaseUrl, schema);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    options: `-c search_path=${schema}`,
    types: { getTypeParser: numericBigints },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** int8 columns hold counters and times well below 2^53, so they are read as numbers. */
function numericBigints(oid: number, format?: string): (value: string) => unknown {
  if (oid === 20) {
    return (value) => Number(value);
  }
  return pg.types.getTypeParser(oid, format as 'text');
}

async function ensureSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Without it the migrator looks for its tables in every schema of the database, and a
    // second installation in another schema takes the first one's tables for its own.
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Migrations are numbered as they are written on parallel lines of work; one that lands
    // after a higher number has run must still run rather than stop the server.
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new Error('Could not bring the database schema up to date', { cause: error });
  }
}

/** Runs `work` in one transaction: its writes commit together or not at all. */
export function transaction<T>(
  store: Store,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return store.db.transaction().execute(work);
}

export { sql };
