import type { UpdateObject } from 'kysely';
import { sql } from 'kysely';

import type { RunStatus } from '../contracts/index.js';
import type { Clock } from '../core/index.js';
import type { EventLog, NewEvent } from '../events/index.js';
import type { Database } from '../store/index.js';
import { readJson } from '../store/index.js';
import { isTerminal, statusSummary } from './workflow-row.js';
import type { WorkflowRunRow } from './workflow-row.js';

export interface WorkflowTransition {
  from: readonly RunStatus[];
  to: RunStatus;
  set?: UpdateObject<Database, 'workflow_runs'>;
  /** Extra data for the status event. */
  detail?: Record<string, unknown>;
}

/**
 * The only way a workflow run changes status: a conditional update committed with its
 * events (`status`, then `awaiting_human`, `resumed`, `error` and `done` where they apply),
 * so a cancel and the engine's finish cannot both win.
 */
export class WorkflowTransitions {
  constructor(
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  apply(runId: string, transition: WorkflowTransition): Promise<WorkflowRunRow | undefined> {
    const nowIso = this.clock.now().toISOString();
    return this.events.write(async (trx, emit) => {
      const row = await trx
        .updateTable('workflow_runs')
        .set({ ...timing(transition.to, nowIso), ...transition.set, status: transition.to })
        .where('id', '=', runId)
        .where('status', 'in', [...transition.from])
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        return undefined;
      }
      for (const event of eventsOf(row, transition)) {
        await emit(runId, event);
      }
      return row;
    });
  }
}

function timing(to: RunStatus, nowIso: string): UpdateObject<Database, 'workflow_runs'> {
  if (to === 'running') {
    return { started_at: sql`coalesce(started_at, ${nowIso})` };
  }
  if (isTerminal(to)) {
    return { finished_at: nowIso, lease_owner: null, lease_expires_at: null };
  }
  return { lease_owner: null, lease_expires_at: null };
}

function eventsOf(row: WorkflowRunRow, transition: WorkflowTransition): NewEvent[] {
  const events: NewEvent[] = [
    { type: 'status', data: { ...statusSummary(row), ...transition.detail } },
  ];
  if (transition.to === 'awaiting_human') {
    events.push({
      type: 'awaiting_human',
      data: { reason: row.awaiting_human_reason, step_id: row.awaiting_step_id },
    });
  }
  if (transition.from.includes('awaiting_human') && transition.to === 'queued') {
    events.push({ type: 'resumed', data: { ...transition.detail } });
  }
  if ((transition.to === 'failed' || transition.to === 'timed_out') && row.error) {
    events.push({ type: 'error', data: readJson<Record<string, unknown>>(row.error, {}) });
  }
  if (isTerminal(transition.to)) {
    events.push({ type: 'done', data: { ...statusSummary(row) } });
  }
  return events;
}
