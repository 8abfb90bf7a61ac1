import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

import { createWorkflowTables } from './workflow-tables.js';

/**
 * Schema changes in order. Each is written once with the query builder so the same steps run
 * on SQLite and PostgreSQL; never edit one that has shipped, add another.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': { up: createInitialSchema },
  '0002_machine_leases': { up: addMachineLeases },
  '0003_workflows': { up: createWorkflowTables },
  '0004_run_credentials': { up: createRunCredentials },
  '0005_machine_snapshots': { up: addMachineSnapshots },
};

async function createInitialSchema(db: Kysely<unknown>): Promise<void> {
  await createAccountTables(db);
  await createRunTables(db);
  await createEventTables(db);
  await createWalletTables(db);
  await createIdempotencyTable(db);
  await createWebhookTables(db);
}

async function createAccountTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('machines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('os_type', 'text', (c) => c.notNull())
    .addColumn('desktop_enabled', 'integer', (c) => c.notNull())
    .addColumn('screen_width', 'integer', (c) => c.notNull())
    .addColumn('screen_height', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('deleted_at', 'text')
    .execute();
}

async function createRunTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('machine_id', 'text', (c) => c.notNull())
    .addColumn('active_machine_id', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('cua_version', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text')
    .addColumn('system_prompt', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('llm', 'text')
    .addColumn('max_steps', 'integer', (c) => c.notNull())
    .addColumn('deadline_seconds', 'integer', (c) => c.notNull())
    .addColumn('on_awaiting_human', 'text', (c) => c.notNull())
    .addColumn('awaiting_human_timeout_seconds', 'integer')
    .addColumn('awaiting_human_reason', 'text')
    .addColumn('awaiting_human_code', 'text')
    .addColumn('awaiting_human_since', 'text')
    .addColumn('resume_note', 'text')
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('metadata', 'text')
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('success_criteria', 'text', (c) => c.notNull())
    .addColumn('steps_completed', 'integer', (c) => c.notNull())
    .addColumn('credits_charged', 'integer', (c) => c.notNull())
    .addColumn('active_ms', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('running_since_ms', 'bigint')
    .addColumn('finished_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .execute();
  await db.schema
    .createIndex('runs_by_organization')
    .on('runs')
    .columns(['organization_id', 'created_at'])
    .execute();
  await db.schema.createIndex('runs_by_status').on('runs').columns(['status']).execute();

  await db.schema
    .createTable('run_steps')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('outcomes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_steps_pk', ['run_id', 'step'])
    .execute();
}

async function createEventTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_streams')
    .addColumn('stream_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['stream_id', 'seq'])
    .execute();
}

async function createWalletTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('wallets')
    .addColumn('organization_id', 'text', (c) => c.primaryKey())
    .addColumn('balance_credits', 'bigint', (c) => c.notNull().check(sql`balance_credits >= 0`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_credits', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('step', 'integer')
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_by_run').on('ledger_entries').columns(['run_id']).execute();
}

async function createIdempotencyTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['organization_id', 'key'])
    .execute();
}

async function createWebhookTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addUniqueConstraint('webhook_deliveries_event', ['run_id', 'event_seq'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('signature_timestamp', 'bigint', (c) => c.notNull())
    .execute();
}

async function addMachineLeases(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('machines').addColumn('ttl_minutes', 'integer').execute();
  await db.schema.alterTable('machines').addColumn('auto_destroy_at', 'text').execute();
}

async function createRunCredentials(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('run_credentials')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('sealed_key', 'text', (c) => c.notNull())
    .addColumn('key_fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

async function addMachineSnapshots(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('machine_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('machine_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('desktop_enabled', 'integer', (c) => c.notNull())
    .addColumn('credits_charged', 'integer', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema
    .createIndex('machine_snapshots_by_organization')
    .on('machine_snapshots')
    .columns(['organization_id', 'status', 'created_at'])
    .execute();
  await db.schema.alterTable('machines').addColumn('vnc_password', 'text').execute();
}
