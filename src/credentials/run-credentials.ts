import type { Kysely } from 'kysely';

import type { Clock } from '../core/index.js';
import type { Database, Store } from '../store/index.js';
import type { CredentialCipher } from './credential-cipher.js';
import { fingerprintOf } from './credential-cipher.js';

/**
 * The provider keys runs brought with them, sealed at rest, readable only while the run
 * lives: they are deleted in the same transaction that ends the run.
 */
export class RunCredentials {
  constructor(
    private readonly store: Store,
    private readonly cipher: CredentialCipher,
    private readonly clock: Clock,
  ) {}

  /** Within the run's insert: keeps the sealed key and returns its fingerprint. */
  async keep(
    trx: Kysely<Database>,
    runId: string,
    provider: string,
    apiKey: string,
  ): Promise<string> {
    const fingerprint = fingerprintOf(apiKey);
    await trx
      .insertInto('run_credentials')
      .values({
        run_id: runId,
        provider,
        sealed_key: this.cipher.seal(apiKey),
        key_fingerprint: fingerprint,
        created_at: this.clock.now().toISOString(),
      })
      .execute();
    return fingerprint;
  }

  /** The run's key, or undefined when it has none (any more). */
  async read(runId: string): Promise<string | undefined> {
    const row = await this.store.db
      .selectFrom('run_credentials')
      .select('sealed_key')
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return row ? this.cipher.open(row.sealed_key) : undefined;
  }
}

/** Within the transition that ends a run: forgets its key. */
export async function scrubRunCredentials(trx: Kysely<Database>, runId: string): Promise<void> {
  await trx.deleteFrom('run_credentials').where('run_id', '=', runId).execute();
}
