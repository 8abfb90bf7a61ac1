import type { Clock } from '../../core/index.js';
import type { EventLog } from '../../events/index.js';
import type { Logger } from '../../log/index.js';
import type { Store } from '../../store/index.js';
import type { RunRow } from '../run-row.js';
import type { RunTransitions } from '../run-transitions.js';
import { expireHumanWaits } from './human-wait-expiry.js';
import { RunInterrupt } from './interrupt.js';
import { RunLeases } from './run-leases.js';
import type { RunLoop } from './run-loop.js';

export interface RunEngineDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  transitions: RunTransitions;
  loop: RunLoop;
  events: EventLog;
  /** Runs driven at once by this process. */
  workers: number;
  /** Stable across restarts of the same installation, so it reclaims its runs at once. */
  instanceId: string;
  /** How long a claim on a running run holds without a heartbeat. Default 30 s. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** How often the queue is looked at without a wake-up. Default 500 ms. */
  pollMs?: number;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The queue of runs and the workers that drive them. Queued runs are claimed with a
 * conditional update and a lease that a heartbeat renews; a run whose lease ran out — its
 * server died — is claimed again and continues after its last recorded step.
 */
export class RunEngine {
  private readonly active = new Map<string, ActiveRun>();
  private readonly leases: RunLeases;
  private timers: NodeJS.Timeout[] = [];
  private ticking: Promise<void> | undefined;
  private wakePending = false;
  private stopped = false;
  // Runs leased to this installation are taken back at the first tick only: later, a run of
  // ours that is not active is one whose loop just ended and whose status is being written.
  private ownLeasesRecovered = false;

  constructor(private readonly deps: RunEngineDeps) {
    this.leases = new RunLeases({ ...deps, leaseMs: deps.leaseMs ?? 30_000 });
  }

  start(): void {
    this.timers = [
      setInterval(() => this.wake(), this.deps.pollMs ?? 500),
      setInterval(() => void this.heartbeat(), this.deps.heartbeatMs ?? 5_000),
    ];
    this.wake();
  }

  /** Looks at the queue now (new, resumed or freed runs). */
  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.ticking) {
      this.wakePending = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'run queue tick failed'))
      .finally(() => {
        this.ticking = undefined;
        if (this.wakePending) {
          this.wakePending = false;
          this.wake();
        }
      });
  }

  /** Stops the step in flight of a run this process drives. */
  interrupt(runId: string, kind: 'cancelled' | 'paused'): void {
    this.active.get(runId)?.controller.abort(new RunInterrupt(kind));
  }

  activeRuns(): number {
    return this.active.size;
  }

  /** Stops driving; runs in flight stay `running` and are continued by the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearInterval);
    await this.ticking;
    for (const run of this.active.values()) {
      run.controller.abort(new RunInterrupt('shutdown'));
    }
    await Promise.allSettled([...this.active.values()].map((run) => run.done));
    await this.leases.releaseAll();
  }

  private async tick(): Promise<void> {
    await expireHumanWaits(this.deps);
    await this.recoverAbandoned();
    await this.claimQueued();
  }

  private freeWorkers(): number {
    return this.deps.workers - this.active.size;
  }

  private async claimQueued(): Promise<void> {
    if (this.freeWorkers() <= 0) {
      return;
    }
    const queued = await this.deps.store.db
      .selectFrom('runs')
      .select('id')
      .where('status', '=', 'queued')
      .orderBy('created_at')
      .limit(this.freeWorkers())
      .execute();
    for (const { id } of queued) {
      const row = await this.deps.transitions.apply(id, {
        from: ['queued'],
        to: 'running',
        set: { lease_owner: this.deps.instanceId, lease_expires_at: this.leases.until() },
      });
      if (row) {
        this.launch(row);
      }
    }
  }

  private async recoverAbandoned(): Promise<void> {
    if (this.freeWorkers() <= 0) {
      return;
    }
    const nowIso = this.deps.clock.now().toISOString();
    const candidates = await this.deps.store.db
      .selectFrom('runs')
      .select(['id', 'lease_expires_at'])
      .where('status', '=', 'running')
      .where((eb) =>
        eb.or([
          ...(this.ownLeasesRecovered ? [] : [eb('lease_owner', '=', this.deps.instanceId)]),
          eb('lease_owner', 'is', null),
          eb('lease_expires_at', '<', nowIso),
        ]),
      )
      .limit(this.freeWorkers() + this.active.size)
      .execute();
    for (const candidate of candidates) {
      if (!this.active.has(candidate.id) && this.freeWorkers() > 0) {
        await this.reclaim(candidate.id, candidate.lease_expires_at);
      }
    }
    this.ownLeasesRecovered = true;
  }

  private async reclaim(runId: string, previousLease: string | null): Promise<void> {
    const row = await this.leases.reclaim(runId, previousLease);
    if (row) {
      this.deps.logger.info({ run_id: runId }, 'run recovered after an interruption');
      this.launch(row);
    }
  }

  private launch(row: RunRow): void {
    const controller = new AbortController();
    const remainingMs = row.deadline_seconds * 1000 - row.active_ms;
    const deadline = setTimeout(
      () => controller.abort(new RunInterrupt('deadline')),
      Math.max(0, remainingMs),
    );
    this.deps.logger.info({ run_id: row.id, step: row.steps_completed + 1 }, 'run started');

    const done = this.deps.loop
      .drive(row, controller.signal)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, run_id: row.id }, 'run failed'),
      )
      .finally(() => {
        clearTimeout(deadline);
        this.active.delete(row.id);
        this.wake();
      });
    this.active.set(row.id, { controller, done });
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) {
      return;
    }
    await this.leases
      .renew(ids)
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'run heartbeat failed'));
  }
}
