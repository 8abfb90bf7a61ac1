import type { Selectable } from 'kysely';

import { dslVersion } from '../contracts/index.js';
import type { RunStatus, WorkflowResponse, WorkflowRunResponse } from '../contracts/index.js';
import type { Database } from '../store/index.js';
import { readJson } from '../store/index.js';

export type WorkflowRow = Selectable<Database['workflows']>;
export type WorkflowRunRow = Selectable<Database['workflow_runs']>;
export type StepRow = Selectable<Database['workflow_steps']>;

export const activeStatuses: readonly RunStatus[] = ['queued', 'running', 'awaiting_human'];

export function isTerminal(status: string): boolean {
  return !(activeStatuses as readonly string[]).includes(status);
}

export function toWorkflowResponse(row: WorkflowRow, requestId: string | null): WorkflowResponse {
  return {
    id: row.id,
    object: 'workflow',
    name: row.name,
    slug: row.slug,
    version: row.version,
    dsl_version: dslVersion,
    definition: readJson(row.definition, {}),
    inputs_schema: readJson(row.inputs_schema, null),
    description: row.description,
    status: row.status as 'active' | 'archived',
    metadata: readJson(row.metadata, null),
    created_at: row.created_at,
    updated_at: row.updated_at,
    request_id: requestId ?? row.request_id,
  };
}

export interface RunViewOptions {
  requestId: string | null;
  /** Only the response to the start call carries the webhook secret. */
  includeWebhookSecret?: boolean;
}

export function toWorkflowRunResponse(
  row: WorkflowRunRow,
  options: RunViewOptions,
): WorkflowRunResponse {
  return {
    id: row.id,
    object: 'workflow.run',
    status: row.status as RunStatus,
    workflow_id: row.workflow_id,
    workflow_version: row.workflow_version,
    machine_id: row.machine_id,
    inputs: readJson(row.inputs, {}),
    output: readJson(row.output, null),
    error: readJson(row.error, null),
    awaiting_human_reason: row.awaiting_human_reason,
    awaiting_step_id: row.awaiting_step_id,
    iterations_used: row.iterations_used,
    max_iterations: row.max_iterations,
    spent_cents: row.spent_cents,
    budget_cents: row.budget_cents,
    deadline_seconds: row.deadline_seconds,
    webhook_url: row.webhook_url,
    webhook_secret: options.includeWebhookSecret ? row.webhook_secret : null,
    metadata: readJson(row.metadata, null),
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    request_id: options.requestId ?? row.request_id,
  };
}

/** The summary carried by a workflow run's status events and webhook deliveries. */
export function statusSummary(row: WorkflowRunRow): Record<string, unknown> {
  return {
    object: 'workflow.run',
    status: row.status,
    iterations_used: row.iterations_used,
    spent_cents: row.spent_cents,
    output: readJson(row.output, null),
    error: readJson(row.error, null),
    awaiting_human_reason: row.awaiting_human_reason,
    awaiting_step_id: row.awaiting_step_id,
    finished_at: row.finished_at,
  };
}
