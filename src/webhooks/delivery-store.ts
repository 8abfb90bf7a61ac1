import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';

import type { Database } from '../store/index.js';
import type { Decision } from './retry-policy.js';

export type DeliveryRow = Selectable<Database['webhook_deliveries']>;

/** What signing and logging an attempt need from its run. */
export interface RunSigning {
  organizationId: string;
  webhookSecret: string | null;
}

/** One attempt as it is kept in `webhook_attempts`. */
export interface AttemptRecord {
  id: string;
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  signatureTimestamp: number;
}

/** Pending deliveries whose time has come and that no live lease holds, oldest first. */
export function selectDue(db: Kysely<Database>, now: Date, limit: number): Promise<DeliveryRow[]> {
  const nowIso = now.toISOString();
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', nowIso)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', nowIso)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

/**
 * Takes the delivery for one attempt until `leaseUntil`. The same condition as
 * {@link selectDue} sits in the UPDATE, so of several servers racing for a row exactly one
 * changes it; a crashed holder's lease simply runs out.
 */
export async function claimDelivery(
  db: Kysely<Database>,
  id: string,
  now: Date,
  leaseUntil: string,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ lease_until: leaseUntil })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', nowIso)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function loadRunSigning(
  db: Kysely<Database>,
  runId: string,
): Promise<RunSigning | undefined> {
  const run =
    (await db
      .selectFrom('runs')
      .select(['organization_id', 'webhook_secret'])
      .where('id', '=', runId)
      .executeTakeFirst()) ??
    (await db
      .selectFrom('workflow_runs')
      .select(['organization_id', 'webhook_secret'])
      .where('id', '=', runId)
      .executeTakeFirst());
  return run && { organizationId: run.organization_id, webhookSecret: run.webhook_secret };
}

/**
 * Keeps the attempt and applies the decision in one transaction. The update holds only while
 * this server's lease does; false means another server took the delivery over meanwhile.
 */
export function recordAttempt(
  db: Kysely<Database>,
  record: AttemptRecord,
  decision: Decision,
  lease: string,
  now: Date,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_attempts').values(attemptRow(record)).execute();

    const result = await trx
      .updateTable('webhook_deliveries')
      .set(deliveryChanges(record.attempt, decision, now))
      .where('id', '=', record.deliveryId)
      .where('lease_until', '=', lease)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  });
}

function attemptRow(record: AttemptRecord): Insertable<Database['webhook_attempts']> {
  return {
    id: record.id,
    delivery_id: record.deliveryId,
    attempt: record.attempt,
    started_at: record.startedAt.toISOString(),
    duration_ms: record.durationMs,
    status_code: record.statusCode,
    error: record.error,
    signature_timestamp: record.signatureTimestamp,
  };
}

function deliveryChanges(
  attempt: number,
  decision: Decision,
  now: Date,
): Updateable<Database['webhook_deliveries']> {
  const nowIso = now.toISOString();
  if (decision.kind === 'delivered') {
    return {
      status: 'delivered',
      attempts: attempt,
      lease_until: null,
      last_error: null,
      finished_at: nowIso,
    };
  }
  if (decision.kind === 'failed') {
    return {
      status: 'failed',
      attempts: attempt,
      lease_until: null,
      last_error: decision.error,
      finished_at: nowIso,
    };
  }
  return {
    attempts: attempt,
    lease_until: null,
    last_error: decision.error,
    next_attempt_at: new Date(now.getTime() + decision.delayMs).toISOString(),
  };
}
