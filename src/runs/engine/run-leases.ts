import { sql } from 'kysely';

import type { Clock } from '../../core/index.js';
import type { EventLog } from '../../events/index.js';
import type { Store } from '../../store/index.js';
import { statusSummary } from '../run-row.js';
import type { RunRow } from '../run-row.js';

/** The claims this installation holds on running runs, renewed by a heartbeat. */
export class RunLeases {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      events: EventLog;
      instanceId: string;
      leaseMs: number;
    },
  ) {}

  /** When a claim taken now runs out. */
  until(): string {
    return new Date(this.deps.clock.now().getTime() + this.deps.leaseMs).toISOString();
  }

  /**
   * Takes over a running run whose lease is the one seen (`previousLease`), so two servers
   * never both reclaim it; records that the run was recovered. The run once claimed.
   */
  async reclaim(runId: string, previousLease: string | null): Promise<RunRow | undefined> {
    const nowMs = this.deps.clock.now().getTime();
    return this.deps.events.write(async (trx, emit) => {
      const claimed = await trx
        .updateTable('runs')
        .set({
          lease_owner: this.deps.instanceId,
          lease_expires_at: this.until(),
          running_since_ms: nowMs,
        })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .where((eb) =>
          previousLease === null
            ? eb('lease_expires_at', 'is', null)
            : eb('lease_expires_at', '=', previousLease),
        )
        .returningAll()
        .executeTakeFirst();
      if (claimed) {
        await emit(runId, { type: 'status', data: { ...statusSummary(claimed), recovered: true } });
      }
      return claimed;
    });
  }

  /** Extends the leases of the runs driven here and adds the time since to their active time. */
  async renew(runIds: string[]): Promise<void> {
    const nowMs = this.deps.clock.now().getTime();
    await this.deps.store.db
      .updateTable('runs')
      .set({
        lease_expires_at: this.until(),
        active_ms: sql<number>`active_ms + coalesce(${nowMs} - running_since_ms, 0)`,
        running_since_ms: nowMs,
      })
      .where('id', 'in', runIds)
      .where('status', '=', 'running')
      .where('lease_owner', '=', this.deps.instanceId)
      .execute();
  }

  /** Lets every run leased here go at once, its active time counted up to now. */
  async releaseAll(): Promise<void> {
    const nowMs = this.deps.clock.now().getTime();
    await this.deps.store.db
      .updateTable('runs')
      .set({
        lease_expires_at: this.deps.clock.now().toISOString(),
        active_ms: sql<number>`active_ms + coalesce(${nowMs} - running_since_ms, 0)`,
        running_since_ms: null,
      })
      .where('status', '=', 'running')
      .where('lease_owner', '=', this.deps.instanceId)
      .execute();
  }
}
