import { sql } from 'kysely';

import type { Clock } from '../../core/index.js';
import type { EventLog, Transaction } from '../../events/index.js';
import { readJson, writeJson } from '../../store/index.js';
import type { Store } from '../../store/index.js';
import type { StepRow } from '../workflow-row.js';

/** Bumped when the stored shape of a step's state changes; old rows keep being read. */
export const stepStateVersion = 1;

export type StepStatus = 'succeeded' | 'failed' | 'skipped';

/** What a finished step leaves for later steps' expressions. */
export interface StepResult {
  status: StepStatus;
  output: unknown;
  error: Record<string, unknown> | null;
}

export interface StepIdentity {
  key: string;
  stepId: string;
  type: string;
}

const finalStatuses = ['succeeded', 'failed', 'skipped'];

/**
 * The durable state of one workflow run's step instances. Each instance is written before it
 * acts and again when it ends, with its `step` events in the same transaction, so a run that
 * restarts reads what was done instead of doing it again, and reports each step once.
 */
export class StepStore {
  constructor(
    private readonly store: Store,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly workflowRunId: string,
  ) {}

  async read(key: string): Promise<StepRow | undefined> {
    return this.select(this.store.db, key);
  }

  /** The row of a step instance, created (with its `started` event) if it did not exist. */
  async begin(
    step: StepIdentity,
    fields: { runId?: string; wakeAt?: string } = {},
  ): Promise<StepRow> {
    return this.events.write(async (trx, emit) => {
      const existing = await this.select(trx, step.key);
      if (existing) {
        return existing;
      }
      const row: StepRow = {
        workflow_run_id: this.workflowRunId,
        key: step.key,
        step_id: step.stepId,
        type: step.type,
        status: 'running',
        run_id: fields.runId ?? null,
        value: null,
        error: null,
        wake_at: fields.wakeAt ?? null,
        schema_version: stepStateVersion,
        created_at: this.now(),
        finished_at: null,
      };
      await trx.insertInto('workflow_steps').values(row).execute();
      await emit(this.workflowRunId, {
        type: 'step',
        data: { phase: 'started', step_id: step.stepId, key: step.key, type: step.type },
      });
      return row;
    });
  }

  /**
   * Ends a step instance once; a second call (after a restart) changes nothing. `within`
   * writes what must commit with the end, such as the run's spending.
   */
  async finish(
    step: StepIdentity,
    result: StepResult,
    within?: (trx: Transaction) => Promise<void>,
  ): Promise<void> {
    await this.events.write(async (trx, emit) => {
      const updated = await trx
        .updateTable('workflow_steps')
        .set({
          status: result.status,
          value: writeJson(result.output),
          error: result.error ? writeJson(result.error) : null,
          finished_at: this.now(),
        })
        .where('workflow_run_id', '=', this.workflowRunId)
        .where('key', '=', step.key)
        .where('status', 'not in', finalStatuses)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        return;
      }
      await within?.(trx);
      const row = await this.select(trx, step.key);
      await emit(this.workflowRunId, {
        type: 'step',
        data: {
          phase: 'finished',
          step_id: step.stepId,
          key: step.key,
          type: step.type,
          status: result.status,
          run_id: row?.run_id ?? null,
          output: result.output,
          error: result.error,
        },
      });
    });
  }

  /** Marks a step instance as waiting for a person. */
  async markAwaiting(key: string): Promise<void> {
    await this.events.write((trx) =>
      trx
        .updateTable('workflow_steps')
        .set({ status: 'awaiting_human' })
        .where('workflow_run_id', '=', this.workflowRunId)
        .where('key', '=', key)
        .where('status', '=', 'running')
        .execute(),
    );
  }

  /**
   * A value computed once per key and then read back: a branch taken, a list to loop over.
   * Conditions may read the clock, so a restarted run must reuse the first answer.
   */
  async decide<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const existing = await this.read(key);
    if (existing) {
      return readJson<T>(existing.value, null as T);
    }
    const value = await compute();
    await this.events.write(async (trx) => {
      await trx
        .insertInto('workflow_steps')
        .values({
          workflow_run_id: this.workflowRunId,
          key,
          step_id: key,
          type: 'decision',
          status: 'succeeded',
          run_id: null,
          value: writeJson(value),
          error: null,
          wake_at: null,
          schema_version: stepStateVersion,
          created_at: this.now(),
          finished_at: this.now(),
        })
        .onConflict((conflict) => conflict.columns(['workflow_run_id', 'key']).doNothing())
        .execute();
    });
    return value;
  }

  /**
   * Counts one loop iteration against the run's `iterations_used`, once per key however often
   * the run restarts. False when the run's `limit` is used up: nothing is counted then.
   */
  async countIteration(key: string, limit: number | null): Promise<boolean> {
    return this.events.write(async (trx) => {
      if (await this.select(trx, key)) {
        return true;
      }
      // One conditional update, so parallel loops cannot both take the last iteration.
      let update = trx
        .updateTable('workflow_runs')
        .set({ iterations_used: sql<number>`iterations_used + 1` })
        .where('id', '=', this.workflowRunId);
      if (limit !== null) {
        update = update.where('iterations_used', '<', limit);
      }
      const counted = await update.executeTakeFirst();
      if (counted.numUpdatedRows === 0n) {
        return false;
      }
      await trx
        .insertInto('workflow_steps')
        .values({
          workflow_run_id: this.workflowRunId,
          key,
          step_id: key,
          type: 'iteration',
          status: 'succeeded',
          run_id: null,
          value: null,
          error: null,
          wake_at: null,
          schema_version: stepStateVersion,
          created_at: this.now(),
          finished_at: this.now(),
        })
        .execute();
      return true;
    });
  }

  /** The child runs of the workflow run, as recorded by its task steps. */
  async childRunIds(): Promise<string[]> {
    const rows = await this.store.db
      .selectFrom('workflow_steps')
      .select('run_id')
      .where('workflow_run_id', '=', this.workflowRunId)
      .where('run_id', 'is not', null)
      .execute();
    return rows.flatMap((row) => (row.run_id ? [row.run_id] : []));
  }

  /** A finished row as a result, or undefined while the step has not ended. */
  static resultOf(row: StepRow | undefined): StepResult | undefined {
    if (!row || !finalStatuses.includes(row.status)) {
      return undefined;
    }
    return {
      status: row.status as StepStatus,
      output: readJson(row.value, null),
      error: readJson(row.error, null),
    };
  }

  private select(trx: Transaction, key: string): Promise<StepRow | undefined> {
    return trx
      .selectFrom('workflow_steps')
      .selectAll()
      .where('workflow_run_id', '=', this.workflowRunId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
