import type { Clock } from '../../core/index.js';
import type { Logger } from '../../log/index.js';
import type { Store } from '../../store/index.js';
import { writeJson } from '../../store/index.js';
import type { WorkflowRunRow } from '../workflow-row.js';
import type { WorkflowTransitions } from '../workflow-transitions.js';
import { WorkflowInterrupt } from './outcomes.js';
import type { WorkflowDriver } from './workflow-driver.js';

export interface WorkflowEngineDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  transitions: WorkflowTransitions;
  driver: WorkflowDriver;
  /** Stable across restarts of the same installation, so it reclaims its runs at once. */
  instanceId: string;
  /** How long a claim holds without a heartbeat. Default 30 s. */
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
}

/**
 * Workflow runs driven at once by one process. A workflow run mostly waits for its child
 * runs, which have workers of their own, so this bound is about memory, not CPU.
 */
const maxActive = 64;

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The queue of workflow runs, claimed and recovered the way runs are: a conditional update
 * with a lease that a heartbeat renews; a run whose lease ran out is claimed again and its
 * walk starts over, reading each step's stored state.
 */
export class WorkflowEngine {
  private readonly active = new Map<string, Active>();
  private readonly leaseMs: number;
  private timers: NodeJS.Timeout[] = [];
  private ticking: Promise<void> | undefined;
  private wakePending = false;
  private stopped = false;
  private ownLeasesRecovered = false;

  constructor(private readonly deps: WorkflowEngineDeps) {
    this.leaseMs = deps.leaseMs ?? 30_000;
  }

  start(): void {
    this.timers = [
      setInterval(() => this.wake(), this.deps.pollMs ?? 500),
      setInterval(() => void this.heartbeat(), this.deps.heartbeatMs ?? 5_000),
    ];
    this.wake();
  }

  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.ticking) {
      this.wakePending = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'workflow tick failed'))
      .finally(() => {
        this.ticking = undefined;
        if (this.wakePending) {
          this.wakePending = false;
          this.wake();
        }
      });
  }

  /** Stops the walk of a run this process drives (a cancel). */
  interrupt(runId: string): void {
    this.active.get(runId)?.controller.abort(new WorkflowInterrupt('cancelled'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearInterval);
    await this.ticking;
    for (const run of this.active.values()) {
      run.controller.abort(new WorkflowInterrupt('shutdown'));
    }
    await Promise.allSettled([...this.active.values()].map((run) => run.done));
    await this.deps.store.db
      .updateTable('workflow_runs')
      .set({ lease_expires_at: this.deps.clock.now().toISOString() })
      .where('status', '=', 'running')
      .where('lease_owner', '=', this.deps.instanceId)
      .execute();
  }

  private async tick(): Promise<void> {
    await this.expireHumanWaits();
    await this.recoverAbandoned();
    await this.claimQueued();
  }

  private async claimQueued(): Promise<void> {
    const queued = await this.deps.store.db
      .selectFrom('workflow_runs')
      .select('id')
      .where('status', '=', 'queued')
      .orderBy('created_at')
      .limit(Math.max(0, maxActive - this.active.size))
      .execute();
    for (const { id } of queued) {
      const row = await this.deps.transitions.apply(id, {
        from: ['queued'],
        to: 'running',
        set: { lease_owner: this.deps.instanceId, lease_expires_at: this.leaseUntil() },
      });
      if (row) {
        this.launch(row);
      }
    }
  }

  private async recoverAbandoned(): Promise<void> {
    const nowIso = this.deps.clock.now().toISOString();
    const candidates = await this.deps.store.db
      .selectFrom('workflow_runs')
      .select(['id', 'lease_expires_at'])
      .where('status', '=', 'running')
      .where((eb) =>
        eb.or([
          ...(this.ownLeasesRecovered ? [] : [eb('lease_owner', '=', this.deps.instanceId)]),
          eb('lease_owner', 'is', null),
          eb('lease_expires_at', '<', nowIso),
        ]),
      )
      .limit(maxActive)
      .execute();
    for (const candidate of candidates) {
      if (!this.active.has(candidate.id) && this.active.size < maxActive) {
        await this.reclaim(candidate.id, candidate.lease_expires_at);
      }
    }
    this.ownLeasesRecovered = true;
  }

  private async reclaim(runId: string, previousLease: string | null): Promise<void> {
    const row = await this.deps.store.db
      .updateTable('workflow_runs')
      .set({ lease_owner: this.deps.instanceId, lease_expires_at: this.leaseUntil() })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .where((eb) =>
        previousLease === null
          ? eb('lease_expires_at', 'is', null)
          : eb('lease_expires_at', '=', previousLease),
      )
      .returningAll()
      .executeTakeFirst();
    if (row) {
      this.deps.logger.info({ workflow_run_id: runId }, 'workflow run recovered');
      this.launch(row);
    }
  }

  /** Runs waiting for an approval past their deadline end `timed_out`. */
  private async expireHumanWaits(): Promise<void> {
    const waiting = await this.deps.store.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('status', '=', 'awaiting_human')
      .where('deadline_seconds', 'is not', null)
      .execute();
    for (const run of waiting) {
      if (this.remainingMs(run) <= 0) {
        const message = `The workflow run passed its deadline of ${run.deadline_seconds} s.`;
        await this.deps.transitions.apply(run.id, {
          from: ['awaiting_human'],
          to: 'timed_out',
          set: { error: writeJson({ code: 'DEADLINE_EXCEEDED', message }) },
        });
      }
    }
  }

  private launch(row: WorkflowRunRow): void {
    const controller = new AbortController();
    const deadline =
      row.deadline_seconds === null
        ? undefined
        : setTimeout(
            () => controller.abort(new WorkflowInterrupt('deadline')),
            Math.max(0, this.remainingMs(row)),
          );
    this.deps.logger.info({ workflow_run_id: row.id }, 'workflow run started');
    const done = this.deps.driver
      .drive(row, controller.signal)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, workflow_run_id: row.id }, 'workflow run failed'),
      )
      .finally(() => {
        clearTimeout(deadline);
        this.active.delete(row.id);
      });
    this.active.set(row.id, { controller, done });
  }

  /** Time left before the deadline, counted in wall time from the run's start. */
  private remainingMs(row: WorkflowRunRow): number {
    const startedMs = Date.parse(row.started_at ?? row.created_at);
    const deadlineMs = startedMs + (row.deadline_seconds ?? 0) * 1000;
    return deadlineMs - this.deps.clock.now().getTime();
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) {
      return;
    }
    await this.deps.store.db
      .updateTable('workflow_runs')
      .set({ lease_expires_at: this.leaseUntil() })
      .where('id', 'in', ids)
      .where('status', '=', 'running')
      .where('lease_owner', '=', this.deps.instanceId)
      .execute()
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'workflow heartbeat failed'),
      );
  }

  private leaseUntil(): string {
    return new Date(this.deps.clock.now().getTime() + this.leaseMs).toISOString();
  }
}
