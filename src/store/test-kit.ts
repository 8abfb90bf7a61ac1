// Test helpers only: tsconfig.build.json keeps test-kit files out of the package.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { openStore } from './database.js';
import type { Store, StoreKind } from './database.js';

const postgresUrl =
  process.env.DESKHAND_TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test';

/** The stores unit tests run against: both, unless DESKHAND_TEST_STORES names fewer. */
export const unitTestStores: StoreKind[] = (process.env.DESKHAND_TEST_STORES ?? 'sqlite,postgres')
  .split(',')
  .filter((name): name is StoreKind => name === 'sqlite' || name === 'postgres');

/** A fresh, migrated store of the given kind; `drop` removes it. */
export async function openTestStore(kind: StoreKind): Promise<Store & { drop(): Promise<void> }> {
  const schema = `u_${randomBytes(6).toString('hex')}`;
  const store = await openStore({
    dataDir: mkdtempSync(join(tmpdir(), 'deskhand-unit-')),
    databaseUrl: kind === 'postgres' ? postgresUrl : undefined,
    databaseSchema: schema,
  });
  return {
    ...store,
    async drop() {
      await store.close();
      if (kind === 'postgres') {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    },
  };
}
