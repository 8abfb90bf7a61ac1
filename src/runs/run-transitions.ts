import { sql } from 'kysely';
import type { UpdateObject } from 'kysely';

import type { RunStatus } from '../contracts/index.js';
import type { Clock } from '../core/index.js';
import { scrubRunCredentials } from '../credentials/index.js';
import type { EventLog, NewEvent, Transaction } from '../events/index.js';
import { readJson } from '../store/index.js';
import type { Database } from '../store/index.js';
import { isTerminal, statusSummary } from './run-row.js';
import type { RunRow } from './run-row.js';

export interface Transition {
  from: readonly RunStatus[];
  to: RunStatus;
  /** Further columns to set with the status. */
  set?: UpdateObject<Database, 'runs'>;
  /** Extra data for the status event (a reason, a code). */
  detail?: Record<string, unknown>;
  /** Writes that must commit with the transition, such as a refund. */
  within?: (trx: Transaction, row: RunRow) => Promise<NewEvent[] | void>;
}

/**
 * The only way a run changes status. Each change is a conditional update, so a cancel and a
 * worker's finish cannot both win, and it commits together with its events: `status`, then
 * `awaiting_human` or `resumed` where they apply, and `done` when the run ends.
 */
export class RunTransitions {
  constructor(
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  /** Applies the transition if the run is in one of `from`; the new row, or undefined. */
  apply(runId: string, transition: Transition): Promise<RunRow | undefined> {
    return this.events.write(async (trx, emit) => {
      const updated = await this.update(trx, runId, transition);
      if (!updated) {
        return undefined;
      }

      if (isTerminal(transition.to)) {
        await scrubRunCredentials(trx, runId);
      }
      const extra = (await transition.within?.(trx, updated)) ?? [];
      for (const event of extra) {
        await emit(runId, event);
      }
      // `within` may have changed the row (a refund lowers credits_charged).
      const row = await trx
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      for (const event of this.eventsOf(row, transition)) {
        await emit(runId, event);
      }
      return row;
    });
  }

  private async update(
    trx: Transaction,
    runId: string,
    transition: Transition,
  ): Promise<RunRow | undefined> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    return trx
      .updateTable('runs')
      .set({
        ...timing(transition.to, now.toISOString(), nowMs),
        ...transition.set,
        status: transition.to,
      })
      .where('id', '=', runId)
      .where('status', 'in', [...transition.from])
      .returningAll()
      .executeTakeFirst();
  }

  private eventsOf(row: RunRow, transition: Transition): NewEvent[] {
    const events: NewEvent[] = [
      { type: 'status', data: { ...statusSummary(row), ...transition.detail } },
    ];
    if (transition.to === 'awaiting_human') {
      events.push({
        type: 'awaiting_human',
        data: { reason: row.awaiting_human_reason, code: row.awaiting_human_code },
      });
    }
    if (transition.from.includes('awaiting_human') && transition.to === 'queued') {
      events.push({ type: 'resumed', data: { note: row.resume_note } });
    }
    if ((transition.to === 'failed' || transition.to === 'timed_out') && row.error) {
      events.push({ type: 'error', data: readJson<Record<string, unknown>>(row.error, {}) });
    }
    if (isTerminal(transition.to)) {
      events.push({ type: 'done', data: { status: row.status, ...statusSummary(row) } });
    }
    return events;
  }
}

/** The time bookkeeping of entering `to`: running segments, pauses and the end. */
function timing(to: RunStatus, nowIso: string, nowMs: number): UpdateObject<Database, 'runs'> {
  const closeSegment = sql<number>`active_ms + coalesce(${nowMs} - running_since_ms, 0)`;
  if (to === 'running') {
    return { running_since_ms: nowMs, started_at: sql`coalesce(started_at, ${nowIso})` };
  }
  const base = { active_ms: closeSegment, running_since_ms: null, lease_owner: null };
  if (to === 'awaiting_human') {
    return { ...base, awaiting_human_since: nowIso };
  }
  if (to === 'queued') {
    return { ...base, awaiting_human_since: null };
  }
  return { ...base, finished_at: nowIso, active_machine_id: null, lease_expires_at: null };
}
