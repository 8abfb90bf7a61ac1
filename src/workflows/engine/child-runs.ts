import { sql } from 'kysely';

import type { RunRequest } from '../../contracts/index.js';
import type { IdGenerator } from '../../core/index.js';
import { isAppError } from '../../errors/index.js';
import type { EventBus, Transaction } from '../../events/index.js';
import type { RunRow, RunService } from '../../runs/index.js';
import { isTerminal } from '../../runs/index.js';
import type { Store } from '../../store/index.js';
import { readJson } from '../../store/index.js';
import type { WorkflowRunRow } from '../workflow-row.js';
import { WorkflowAbort, WorkflowInterrupt, sleep } from './outcomes.js';
import { StepStore } from './step-store.js';
import type { StepIdentity, StepResult } from './step-store.js';

export interface ChildRunsDeps {
  store: Store;
  ids: IdGenerator;
  runs: RunService;
  bus: EventBus;
  /** Credits (cents) one agent step costs: what the budget is counted in. */
  stepPriceCredits: number;
}

/** How often a child run is looked at without a wake-up from its events. */
const childPollMs = 500;

/**
 * The `task` steps of one workflow run: each is a run of `/v1/runs`, created at most once
 * (its id is recorded before the run exists) and held to what is left of the budget.
 */
export class ChildRuns {
  // Budget checks and creations happen one at a time, so parallel branches cannot both
  // spend the same remaining cents.
  private creating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: ChildRunsDeps,
    private readonly workflowRun: WorkflowRunRow,
    private readonly steps: StepStore,
  ) {}

  async run(step: StepIdentity, request: RunRequest, signal: AbortSignal): Promise<StepResult> {
    const row = await this.steps.begin(step, { runId: this.deps.ids.uuid() });
    const done = StepStore.resultOf(row);
    if (done) {
      return done;
    }
    const runId = row.run_id ?? '';
    const created = await this.existing(runId);
    if (!created) {
      const failure = await this.serialized(() => this.create(step, runId, request)).catch(
        async (error: unknown) => {
          if (error instanceof WorkflowAbort) {
            // The step is reported failed with the reason before the run ends.
            const detail = { code: error.code, message: error.message, step_id: step.stepId };
            const result: StepResult = { status: 'failed', output: null, error: detail };
            await this.steps.finish(step, result, (trx) => this.forgetRun(trx, step));
          }
          throw error;
        },
      );
      if (failure) {
        await this.steps.finish(step, failure, (trx) => this.forgetRun(trx, step));
        return failure;
      }
    }
    const ended = await this.waitForEnd(runId, signal);
    const result = resultOf(ended);
    await this.steps.finish(step, result, (trx) => this.recordSpending(trx));
    if (ended.status === 'timed_out' && ended.max_steps < request.max_steps) {
      throw new WorkflowAbort(
        'BUDGET_EXHAUSTED',
        `The budget of ${this.workflowRun.budget_cents} cents is spent.`,
        step.stepId,
      );
    }
    return result;
  }

  /** Cancels every child run that has not ended. */
  async cancelAll(): Promise<void> {
    for (const runId of await this.steps.childRunIds()) {
      const run = await this.existing(runId);
      if (run && !isTerminal(run.status)) {
        await this.deps.runs.cancel(run.organization_id, run.id);
      }
    }
  }

  /** Writes the run's spending (its child runs' charges) within a transaction. */
  async recordSpending(trx: Transaction): Promise<void> {
    await trx
      .updateTable('workflow_runs')
      .set({
        spent_cents: sql<number>`(select coalesce(sum(r.credits_charged), 0) from runs r
          where r.id in (select s.run_id from workflow_steps s
          where s.workflow_run_id = ${this.workflowRun.id} and s.run_id is not null))`,
      })
      .where('id', '=', this.workflowRun.id)
      .execute();
  }

  /** A step whose run was never created keeps no run id, so none is reported or counted. */
  private async forgetRun(trx: Transaction, step: StepIdentity): Promise<void> {
    await trx
      .updateTable('workflow_steps')
      .set({ run_id: null })
      .where('workflow_run_id', '=', this.workflowRun.id)
      .where('key', '=', step.key)
      .execute();
  }

  private async create(
    step: StepIdentity,
    runId: string,
    request: RunRequest,
  ): Promise<StepResult | undefined> {
    // A cancel by another server reaches this walk here at the latest: no run after it.
    const current = await this.deps.store.db
      .selectFrom('workflow_runs')
      .select('status')
      .where('id', '=', this.workflowRun.id)
      .executeTakeFirst();
    if (current?.status !== 'running') {
      throw new WorkflowInterrupt('cancelled');
    }
    const maxSteps = await this.affordableSteps(request.max_steps);
    if (maxSteps < 1) {
      throw new WorkflowAbort(
        'BUDGET_EXHAUSTED',
        `The budget of ${this.workflowRun.budget_cents} cents cannot pay one more agent step.`,
        step.stepId,
      );
    }
    const { organization_id: organizationId, request_id: requestId } = this.workflowRun;
    try {
      const capped = { ...request, max_steps: maxSteps };
      await this.deps.runs.create(organizationId, capped, requestId ?? '', {}, runId);
      return undefined;
    } catch (error) {
      if (await this.existing(runId)) {
        // Another walk of this run (a server that lost its lease late) created it first.
        return undefined;
      }
      if (!isAppError(error)) {
        throw error;
      }
      // A refused run (busy machine, empty wallet, bad field) fails the step, not the server.
      const detail = { code: error.code, message: error.message, step_id: step.stepId };
      return { status: 'failed', output: { run_id: null }, error: detail };
    }
  }

  /** The steps the budget still pays for, counting what running children may yet spend. */
  private async affordableSteps(wanted: number): Promise<number> {
    const budget = this.workflowRun.budget_cents;
    const price = this.deps.stepPriceCredits;
    if (!budget || price === 0) {
      return wanted;
    }
    const ids = await this.steps.childRunIds();
    const children = ids.length
      ? await this.deps.store.db
          .selectFrom('runs')
          .select(['status', 'credits_charged', 'max_steps'])
          .where('id', 'in', ids)
          .execute()
      : [];
    const committed = children.reduce(
      (sum, run) =>
        sum +
        (isTerminal(run.status)
          ? run.credits_charged
          : Math.max(run.credits_charged, run.max_steps * price)),
      0,
    );
    return Math.min(wanted, Math.floor((budget - committed) / price));
  }

  // LIMITATION: a child run waiting for a human keeps its workflow run `running` until the
  // child is resumed; mirroring the wait as the workflow run's `awaiting_human` would lift it.
  private async waitForEnd(runId: string, signal: AbortSignal): Promise<RunRow> {
    for (;;) {
      const run = await this.existing(runId);
      if (run && isTerminal(run.status)) {
        return run;
      }
      await this.nextEvent(runId, signal);
    }
  }

  private async nextEvent(runId: string, signal: AbortSignal): Promise<void> {
    const woken = new AbortController();
    const unsubscribe = this.deps.bus.subscribe(runId, () => woken.abort());
    const onAbort = () => woken.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await sleep(childPollMs, woken.signal).catch(() => undefined);
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) {
      throw signal.reason as Error;
    }
  }

  private existing(runId: string): Promise<RunRow | undefined> {
    return this.deps.store.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirst();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.creating.then(work, work);
    this.creating = next.catch(() => undefined);
    return next;
  }
}

function resultOf(run: RunRow): StepResult {
  const error = readJson<Record<string, unknown> | null>(run.error, null);
  const output = {
    run_id: run.id,
    status: run.status,
    result: readJson(run.result, null),
    steps_completed: run.steps_completed,
    credits_charged: run.credits_charged,
  };
  if (run.status === 'succeeded') {
    return { status: 'succeeded', output, error: null };
  }
  const message = `The task's run ended ${run.status}.`;
  return {
    status: 'failed',
    output,
    error: { code: 'TASK_FAILED', message, run_id: run.id, run_error: error },
  };
}
