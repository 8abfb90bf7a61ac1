import type { Kysely } from 'kysely';

import { notFound } from '../errors/index.js';
import type { Database } from '../store/index.js';
import { olderThan } from '../store/index.js';

/** Bumped when a ledger entry's stored shape changes; old entries keep being read. */
export const ledgerSchemaVersion = 1;

export type ChargeOutcome =
  | { kind: 'charged'; balanceAfter: number }
  | { kind: 'already_charged' }
  | { kind: 'insufficient'; balance: number };

export interface LedgerEntry {
  id: string;
  kind: 'top_up' | 'charge' | 'refund';
  amountCredits: number;
  balanceAfter: number;
  runId: string | null;
  step: number | null;
  createdAt: string;
}

export interface LedgerFilter {
  runId?: string;
  startingAfter?: string;
}

/** Newest first; `startingAfter` continues after that entry of an earlier page. */
export async function listLedgerEntries(
  db: Kysely<Database>,
  organizationId: string,
  limit: number,
  filter: LedgerFilter = {},
): Promise<LedgerEntry[]> {
  let query = db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('organization_id', '=', organizationId);
  if (filter.runId) {
    query = query.where('run_id', '=', filter.runId);
  }
  if (filter.startingAfter) {
    const cursor = await db
      .selectFrom('ledger_entries')
      .select(['created_at', 'id'])
      .where('organization_id', '=', organizationId)
      .where('id', '=', filter.startingAfter)
      .executeTakeFirst();
    if (!cursor) {
      throw notFound('ledger entry', filter.startingAfter);
    }
    query = query.where(olderThan(cursor));
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind as LedgerEntry['kind'],
    amountCredits: row.amount_credits,
    balanceAfter: row.balance_after,
    runId: row.run_id,
    step: row.step,
    createdAt: row.created_at,
  }));
}
