import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

import { postgresUrl } from './server.js';
import type { StoreKind, TestServer } from './server.js';

/** The rows of a table of the server's store, read behind its back. */
export async function storedRows(
  server: TestServer,
  store: StoreKind,
  table: string,
): Promise<Record<string, unknown>[]> {
  if (store === 'sqlite') {
    const file = new BetterSqlite3(join(server.dataDir, 'deskhand.db'), { readonly: true });
    try {
      return file.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
    } finally {
      file.close();
    }
  }
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return (await client.query(`SELECT * FROM "${server.schema}"."${table}"`)).rows;
  } finally {
    await client.end();
  }
}

/** Every byte the server keeps on disk in its data dir (database, WAL, files), as text. */
export function dataDirText(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => {
      // A browser profile holds symlinks naming its process; they point at nothing stored.
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) {
        return '';
      }
      return stats.isDirectory() ? dataDirText(path) : readFileSync(path, 'latin1');
    })
    .join('\n');
}
