import type { Kysely } from 'kysely';

/** Saved workflows, their runs, and the durable state of each step instance of a run. */
export async function createWorkflowTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workflows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('inputs_schema', 'text')
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text')
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('workflows_slug', ['organization_id', 'slug'])
    .execute();
  await db.schema
    .createTable('workflow_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('workflow_id', 'text')
    .addColumn('workflow_version', 'integer')
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('machine_id', 'text')
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('awaiting_human_reason', 'text')
    .addColumn('awaiting_step_id', 'text')
    .addColumn('iterations_used', 'integer', (c) => c.notNull())
    .addColumn('max_iterations', 'integer')
    .addColumn('spent_cents', 'integer', (c) => c.notNull())
    .addColumn('budget_cents', 'integer')
    .addColumn('deadline_seconds', 'integer')
    .addColumn('llm', 'text')
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('metadata', 'text')
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .execute();
  await db.schema
    .createIndex('workflow_runs_by_organization')
    .on('workflow_runs')
    .columns(['organization_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('workflow_runs_by_status')
    .on('workflow_runs')
    .columns(['status'])
    .execute();
  await db.schema
    .createTable('workflow_steps')
    .addColumn('workflow_run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('value', 'text')
    .addColumn('error', 'text')
    .addColumn('wake_at', 'text')
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('workflow_steps_pk', ['workflow_run_id', 'key'])
    .execute();
}
