import type { Clock, IdGenerator } from '../core/index.js';
import { supportedCuaVersions } from '../contracts/index.js';
import type { RunRequest } from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import { writeJson } from '../store/index.js';
import type { ModelSelection } from './model-selection.js';
import type { RunRow } from './run-row.js';

/** What a new run is made from, besides the request. */
export interface NewRunContext {
  organizationId: string;
  selection: ModelSelection;
  requestId: string;
  /** Chosen by a caller that records the id first; a fresh one otherwise. */
  runId?: string;
}

/** The row of a run just accepted: queued, with the request's defaults filled in. */
export function newRunRow(
  request: RunRequest,
  context: NewRunContext,
  deps: { clock: Clock; ids: IdGenerator; newWebhookSecret(): string },
): RunRow {
  const { organizationId, selection, requestId, runId } = context;
  const { clock, ids } = deps;
  return {
    id: runId ?? ids.uuid(),
    organization_id: organizationId,
    machine_id: request.machine_id,
    active_machine_id: request.machine_id,
    status: 'queued',
    task: request.task,
    cua_version: request.cua_version,
    instructions: request.instructions ?? null,
    system_prompt: request.system_prompt ?? null,
    model: selection.model,
    llm: selection.llm ? writeJson(selection.llm) : null,
    max_steps: request.max_steps,
    deadline_seconds: request.deadline_seconds ?? 300,
    on_awaiting_human: request.on_awaiting_human,
    awaiting_human_timeout_seconds: request.awaiting_human_timeout_seconds ?? null,
    awaiting_human_reason: null,
    awaiting_human_code: null,
    awaiting_human_since: null,
    resume_note: null,
    webhook_url: request.webhook_url ?? null,
    webhook_secret: request.webhook_url ? deps.newWebhookSecret() : null,
    metadata: request.metadata ? writeJson(request.metadata) : null,
    variables: writeJson(request.variables ?? {}),
    // LIMITATION: secrets are stored as given; encrypting them with a server key would lift it.
    secrets: writeJson(request.secrets ?? {}),
    success_criteria: writeJson(request.success_criteria ?? []),
    steps_completed: 0,
    credits_charged: 0,
    active_ms: 0,
    result: null,
    error: null,
    request_id: requestId,
    created_at: clock.now().toISOString(),
    started_at: null,
    running_since_ms: null,
    finished_at: null,
    lease_owner: null,
    lease_expires_at: null,
  };
}

export function refuseUnsupportedVersion(version: string): void {
  if (!(supportedCuaVersions as readonly string[]).includes(version)) {
    throw new AppError(
      'UNSUPPORTED_CUA_VERSION',
      `cua_version '${version}' is not supported; supported: ${supportedCuaVersions.join(', ')}.`,
      { details: { field: 'body.cua_version', supported: supportedCuaVersions } },
    );
  }
}

export function refuseCriteriaWithoutVerifier(request: RunRequest): void {
  if (request.success_criteria?.length && request.cua_version === 'v3') {
    // v3 has no verifier: accepting criteria it would never check would mislead the caller.
    throw new AppError(
      'VALIDATION_ERROR',
      'success_criteria are checked by the verifier of cua_version v4 or v5, not v3.',
      { details: { field: 'body.success_criteria' } },
    );
  }
}
