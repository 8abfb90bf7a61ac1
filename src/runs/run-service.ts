import type { Clock, IdGenerator } from '../core/index.js';
import type { RunRequest, RunStatus } from '../contracts/index.js';
import type { RunCredentials } from '../credentials/index.js';
import { AppError, invalidState, notFound } from '../errors/index.js';
import type { EventLog } from '../events/index.js';
import type { MachineService } from '../machines/index.js';
import type { ModelRegistry, ProviderFactory } from '../models/index.js';
import type { Store } from '../store/index.js';
import { olderThan, writeJson } from '../store/index.js';
import type { WalletService } from '../wallet/index.js';
import { selectModel } from './model-selection.js';
import type { OwnProviderHeaders } from './model-selection.js';
import {
  newRunRow,
  refuseCriteriaWithoutVerifier,
  refuseUnsupportedVersion,
} from './new-run-row.js';
import { activeStatuses, statusSummary } from './run-row.js';
import type { RunRow } from './run-row.js';
import type { RunTransitions, Transition } from './run-transitions.js';

export interface RunServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  events: EventLog;
  transitions: RunTransitions;
  machines: MachineService;
  models: ModelRegistry;
  /** Builds provider models for runs that bring their own key. */
  providers: ProviderFactory;
  credentials: RunCredentials;
  wallet: WalletService;
  stepPriceCredits: number;
  /** Refuses a webhook URL the server will not deliver to (throws a 422). */
  checkWebhookUrl(url: string): void;
  newWebhookSecret(): string;
  /** Within a transition, gives back the charge of a step that will not complete. */
  refundUnfinished: NonNullable<Transition['within']>;
  /** Tells the engine there is work: a new run, or a resumed one. */
  wakeEngine(): void;
  /** Stops a run's step in flight in this process (cancel, pause). */
  interrupt(runId: string, reason: 'cancelled' | 'paused'): void;
}

export interface ListRunsOptions {
  status?: RunStatus;
  limit: number;
  startingAfter?: string;
}

/** The runs of each organization as the API offers them: create, read, cancel, resume. */
export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  async create(
    organizationId: string,
    request: RunRequest,
    requestId: string,
    byok: OwnProviderHeaders = {},
    /** Chosen by a caller that records the id first, so a retry cannot start a second run. */
    runId?: string,
  ): Promise<RunRow> {
    const { deps } = this;
    refuseUnsupportedVersion(request.cua_version);
    const selection = selectModel(request, byok, deps.models, deps.providers);
    refuseCriteriaWithoutVerifier(request);
    const machine = await deps.machines.row(organizationId, request.machine_id);
    if (machine.status !== 'running') {
      throw invalidState(`Machine ${machine.id} is ${machine.status}; start it first.`);
    }
    if (request.webhook_url) {
      deps.checkWebhookUrl(request.webhook_url);
    }
    await this.requireCredits(organizationId);

    const row = newRunRow(request, { organizationId, selection, requestId, runId }, deps);
    try {
      await deps.events.write(async (trx, emit) => {
        await trx.insertInto('runs').values(row).execute();
        if (selection.ownKey) {
          const { provider, apiKey } = selection.ownKey;
          const fingerprint = await deps.credentials.keep(trx, row.id, provider, apiKey);
          row.llm = writeJson({ ...selection.llm, key_fingerprint: fingerprint });
          await trx.updateTable('runs').set({ llm: row.llm }).where('id', '=', row.id).execute();
        }
        await emit(row.id, { type: 'status', data: statusSummary(row) });
      });
    } catch (error) {
      throw await this.explainInsertFailure(error, request.machine_id);
    }
    deps.wakeEngine();
    return row;
  }

  async get(organizationId: string, runId: string): Promise<RunRow> {
    const row = await this.deps.store.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    if (!row) {
      throw notFound('run', runId);
    }
    return row;
  }

  async list(organizationId: string, options: ListRunsOptions): Promise<RunRow[]> {
    let query = this.deps.store.db
      .selectFrom('runs')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (options.status) {
      query = query.where('status', '=', options.status);
    }
    if (options.startingAfter) {
      const cursor = await this.get(organizationId, options.startingAfter);
      query = query.where(olderThan(cursor));
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  }

  /** Cancels a run that has not ended; cancelling an ended run changes nothing. */
  async cancel(organizationId: string, runId: string): Promise<RunRow> {
    await this.get(organizationId, runId);
    // Interrupting first means no input is sent once the cancel is committed and acknowledged.
    // LIMITATION: this reaches runs driven by this process only; one driven by another server
    // on the same PostgreSQL stops at its next step. A LISTEN/NOTIFY channel would lift it.
    this.deps.interrupt(runId, 'cancelled');
    const row = await this.deps.transitions.apply(runId, {
      from: activeStatuses,
      to: 'cancelled',
      set: { error: writeJson({ code: 'CANCELLED', message: 'The run was cancelled.' }) },
      within: this.deps.refundUnfinished,
    });
    return row ?? this.get(organizationId, runId);
  }

  /** Continues a run waiting for a human; the note reaches the agent as the human's answer. */
  async resume(organizationId: string, runId: string, note: string | null): Promise<RunRow> {
    const current = await this.get(organizationId, runId);
    if (current.status !== 'awaiting_human') {
      throw invalidState(`Run ${runId} is ${current.status}; only awaiting_human runs resume.`);
    }
    await this.requireCredits(organizationId);

    const row = await this.deps.transitions.apply(runId, {
      from: ['awaiting_human'],
      to: 'queued',
      set: { resume_note: note, awaiting_human_reason: null, awaiting_human_code: null },
    });
    if (!row) {
      throw invalidState(`Run ${runId} is no longer awaiting a human.`);
    }
    this.deps.wakeEngine();
    return row;
  }

  /** A human takes over: the step in flight stops and the run waits for a resume. */
  async pause(organizationId: string, runId: string, reason: string | null): Promise<RunRow> {
    const current = await this.get(organizationId, runId);
    if (current.status !== 'running' && current.status !== 'queued') {
      throw invalidState(`Run ${runId} is ${current.status}; only queued or running runs pause.`);
    }
    this.deps.interrupt(runId, 'paused');
    const row = await this.deps.transitions.apply(runId, {
      from: ['queued', 'running'],
      to: 'awaiting_human',
      set: {
        awaiting_human_reason: reason ?? 'Paused by a human.',
        awaiting_human_code: 'PAUSED_BY_USER',
      },
      within: this.deps.refundUnfinished,
    });
    return row ?? this.get(organizationId, runId);
  }

  private async requireCredits(organizationId: string): Promise<void> {
    const balance = await this.deps.wallet.balance(organizationId);
    if (balance < this.deps.stepPriceCredits) {
      throw new AppError(
        'INSUFFICIENT_CREDITS',
        `One step costs ${this.deps.stepPriceCredits} credits; the wallet holds ${balance}.`,
        { details: { balance_credits: balance, step_price_credits: this.deps.stepPriceCredits } },
      );
    }
  }

  private async explainInsertFailure(error: unknown, machineId: string): Promise<unknown> {
    const holder = await this.deps.store.db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('active_machine_id', '=', machineId)
      .executeTakeFirst();
    if (!holder) {
      return error;
    }
    return invalidState(`Machine ${machineId} is busy with run ${holder.id} (${holder.status}).`, {
      run_id: holder.id,
    });
  }
}
