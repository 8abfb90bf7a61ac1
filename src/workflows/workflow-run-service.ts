import { sql } from 'kysely';

import type { StartWorkflowRunRequest } from '../contracts/index.js';
import type { Clock, IdGenerator } from '../core/index.js';
import { invalidState, notFound, validationError } from '../errors/index.js';
import type { EventLog } from '../events/index.js';
import type { Store } from '../store/index.js';
import { olderThan, readJson, writeJson } from '../store/index.js';
import type { WalletService } from '../wallet/index.js';
import {
  checkInputs,
  checkInputsSchema,
  validateDefinition,
  walkSteps,
} from './definition/index.js';
import type { Definition } from './definition/index.js';
import type { WorkflowDriver } from './engine/workflow-driver.js';
import { refuseMachinelessTasks, requireCredits, requireMachine } from './start-checks.js';
import { activeStatuses, isTerminal, statusSummary } from './workflow-row.js';
import type { WorkflowRow, WorkflowRunRow } from './workflow-row.js';
import type { WorkflowTransitions } from './workflow-transitions.js';

export interface WorkflowRunServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  events: EventLog;
  transitions: WorkflowTransitions;
  driver: WorkflowDriver;
  wallet: WalletService;
  stepPriceCredits: number;
  checkWebhookUrl(url: string): void;
  newWebhookSecret(): string;
  wakeEngine(): void;
  interrupt(workflowRunId: string): void;
}

export interface ListWorkflowRunsOptions {
  workflowId?: string;
  limit: number;
  startingAfter?: string;
}

/** Workflow runs as the API offers them: start, read, cancel, resume an approval. */
export class WorkflowRunService {
  constructor(private readonly deps: WorkflowRunServiceDeps) {}

  async start(
    organizationId: string,
    request: StartWorkflowRunRequest,
    requestId: string,
    workflow?: WorkflowRow,
  ): Promise<WorkflowRunRow> {
    if (workflow?.status === 'archived') {
      throw invalidState(`Workflow ${workflow.id} is archived; unarchive it to run it.`);
    }
    if (workflow && request.definition) {
      throw validationError('A saved workflow runs its own definition; omit `definition`.', {
        field: 'body.definition',
      });
    }
    const rawDefinition = workflow ? JSON.parse(workflow.definition) : request.definition;
    if (!rawDefinition) {
      throw validationError('An ad hoc workflow run needs a `definition`.', {
        field: 'body.definition',
      });
    }
    const definition = validateDefinition(
      rawDefinition,
      workflow ? 'definition' : 'body.definition',
    );
    const inputsSchema = workflow
      ? readJson<Record<string, unknown> | null>(workflow.inputs_schema, null)
      : request.inputs_schema;
    checkInputsSchema(inputsSchema, 'body.inputs_schema');
    checkInputs(inputsSchema, request.inputs ?? {});
    refuseMachinelessTasks(definition, request.machine_id ?? null);
    await requireMachine(this.deps.store, organizationId, request.machine_id ?? null);
    if (request.webhook_url) {
      this.deps.checkWebhookUrl(request.webhook_url);
    }
    await requireCredits(this.deps, organizationId, definition);

    const row = this.newRow(organizationId, request, requestId, definition, workflow);
    await this.deps.events.write(async (trx, emit) => {
      await trx.insertInto('workflow_runs').values(row).execute();
      await emit(row.id, { type: 'status', data: statusSummary(row) });
    });
    this.deps.wakeEngine();
    return row;
  }

  async get(organizationId: string, runId: string): Promise<WorkflowRunRow> {
    const row = await this.deps.store.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', '=', runId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    if (!row) {
      throw notFound('workflow run', runId);
    }
    return this.withLiveSpending(row);
  }

  async list(organizationId: string, options: ListWorkflowRunsOptions): Promise<WorkflowRunRow[]> {
    let query = this.deps.store.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (options.workflowId) {
      query = query.where('workflow_id', '=', options.workflowId);
    }
    if (options.startingAfter) {
      query = query.where(olderThan(await this.get(organizationId, options.startingAfter)));
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit)
      .execute();
    return Promise.all(rows.map((row) => this.withLiveSpending(row)));
  }

  /** While a run goes on, its spending is read from its child runs as they are charged. */
  private async withLiveSpending(row: WorkflowRunRow): Promise<WorkflowRunRow> {
    if (isTerminal(row.status)) {
      return row;
    }
    const { spent } = await this.deps.store.db
      .selectFrom('runs')
      .select(sql<number>`coalesce(sum(credits_charged), 0)`.as('spent'))
      .where(
        'id',
        'in',
        sql<string>`(select run_id from workflow_steps
          where workflow_run_id = ${row.id} and run_id is not null)`,
      )
      .executeTakeFirstOrThrow();
    return { ...row, spent_cents: Number(spent) };
  }

  /** Cancels the run and every child run still going; an ended run is left as it is. */
  async cancel(organizationId: string, runId: string): Promise<WorkflowRunRow> {
    const current = await this.get(organizationId, runId);
    // LIMITATION: the walk is interrupted in this process only; a run walked by another
    // server on the same PostgreSQL notices at its next step. LISTEN/NOTIFY would lift it.
    this.deps.interrupt(runId);
    const row = await this.deps.transitions.apply(runId, {
      from: activeStatuses,
      to: 'cancelled',
      set: {
        error: writeJson({ code: 'CANCELLED', message: 'The workflow run was cancelled.' }),
      },
    });
    await this.deps.driver.parts(current).children.cancelAll();
    if (row) {
      await this.deps.events.write((trx) =>
        this.deps.driver.parts(row).children.recordSpending(trx),
      );
    }
    return this.get(organizationId, runId);
  }

  /** Approves (the run goes on) or rejects (the step fails) a pending `human_approval`. */
  async resume(
    organizationId: string,
    runId: string,
    approved: boolean,
    note: string | null,
  ): Promise<WorkflowRunRow> {
    const current = await this.get(organizationId, runId);
    const stepKey = current.awaiting_step_id;
    if (current.status !== 'awaiting_human' || !stepKey) {
      throw invalidState(`Workflow run ${runId} is ${current.status}; it awaits no approval.`);
    }
    // The step's decision is written first: a walk that starts once the run is queued must
    // find it, and a second resume then changes nothing.
    const { steps } = this.deps.driver.parts(current);
    const stepId = stepKey.split('/').at(-1) ?? stepKey;
    await steps.finish(
      { key: stepKey, stepId, type: 'human_approval' },
      approved
        ? { status: 'succeeded', output: { approved, note }, error: null }
        : {
            status: 'failed',
            output: { approved, note },
            error: { code: 'APPROVAL_REJECTED', message: note ?? 'Rejected.', step_id: stepId },
          },
    );
    const row = await this.deps.transitions.apply(runId, {
      from: ['awaiting_human'],
      to: 'queued',
      set: { awaiting_step_id: null, awaiting_human_reason: null },
      detail: { step_id: stepId, approved, note },
    });
    if (!row) {
      throw invalidState(`Workflow run ${runId} no longer awaits an approval.`);
    }
    this.deps.wakeEngine();
    return row;
  }

  private newRow(
    organizationId: string,
    request: StartWorkflowRunRequest,
    requestId: string,
    definition: Definition,
    workflow: WorkflowRow | undefined,
  ): WorkflowRunRow {
    const webhookUrl = request.webhook_url ?? null;
    return {
      id: this.deps.ids.uuid(),
      organization_id: organizationId,
      workflow_id: workflow?.id ?? null,
      workflow_version: workflow?.version ?? null,
      definition: writeJson(definition),
      status: 'queued',
      machine_id: request.machine_id ?? null,
      inputs: writeJson(request.inputs ?? {}),
      output: null,
      error: null,
      awaiting_human_reason: null,
      awaiting_step_id: null,
      iterations_used: 0,
      max_iterations: request.max_iterations ?? null,
      spent_cents: 0,
      budget_cents: request.budget_cents || null,
      deadline_seconds: request.deadline_seconds ?? null,
      llm: request.llm ? writeJson(request.llm) : null,
      webhook_url: webhookUrl,
      webhook_secret: webhookUrl ? this.deps.newWebhookSecret() : null,
      metadata: request.metadata ? writeJson(request.metadata) : null,
      request_id: requestId,
      created_at: this.deps.clock.now().toISOString(),
      started_at: null,
      finished_at: null,
      lease_owner: null,
      lease_expires_at: null,
    };
  }
}
