import type { Selectable } from 'kysely';

import type { RunResponse, RunStatus } from '../contracts/index.js';
import type { Database } from '../store/index.js';
import { readJson } from '../store/index.js';

export type RunRow = Selectable<Database['runs']>;

export const terminalStatuses: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];
export const activeStatuses: readonly RunStatus[] = ['queued', 'running', 'awaiting_human'];

export function isTerminal(status: string): boolean {
  return (terminalStatuses as readonly string[]).includes(status);
}

export interface ViewOptions {
  requestId: string | null;
  /** Only the response to the create call carries the webhook secret. */
  includeWebhookSecret?: boolean;
}

/** The run as the API shows it: the reference's RunResponse, secrets left out. */
export function toRunResponse(row: RunRow, options: ViewOptions): RunResponse {
  return {
    id: row.id,
    object: 'agent.run',
    status: row.status as RunStatus,
    machine_id: row.machine_id,
    task: row.task,
    cua_version: row.cua_version,
    model: row.model,
    instructions: row.instructions,
    max_steps: row.max_steps,
    deadline_seconds: row.deadline_seconds,
    on_awaiting_human: row.on_awaiting_human,
    awaiting_human_timeout_seconds: row.awaiting_human_timeout_seconds,
    steps_completed: row.steps_completed,
    credits_charged: row.credits_charged,
    cost_cents: row.credits_charged,
    result: readJson(row.result, null),
    error: readJson(row.error, null),
    awaiting_human_reason: row.awaiting_human_reason,
    metadata: readJson(row.metadata, null),
    variables: readJson<Record<string, string>>(row.variables, {}),
    llm: readJson(row.llm, null),
    webhook_url: row.webhook_url,
    webhook_secret: options.includeWebhookSecret ? row.webhook_secret : null,
    created_at: row.created_at,
    started_at: row.started_at,
    awaiting_human_since: row.awaiting_human_since,
    finished_at: row.finished_at,
    request_id: options.requestId ?? row.request_id,
  };
}

/** The summary carried by status events and webhook deliveries. */
export function statusSummary(row: RunRow): Record<string, unknown> {
  return {
    status: row.status,
    steps_completed: row.steps_completed,
    credits_charged: row.credits_charged,
    cost_cents: row.credits_charged,
    result: readJson(row.result, null),
    error: readJson(row.error, null),
    awaiting_human_reason: row.awaiting_human_reason,
    finished_at: row.finished_at,
  };
}
