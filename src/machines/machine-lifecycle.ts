import type { Clock } from '../core/index.js';
import { invalidState } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Store } from '../store/index.js';
import { leaseEnd, specOf } from './machine-row.js';
import type { MachineRow } from './machine-row.js';
import type { MachineService } from './machine-service.js';
import type { DriverRegistry } from './registry.js';

/** Ends a run that holds a machine whose lease ran out. */
export type CancelRun = (organizationId: string, runId: string) => Promise<void>;

const sweepIntervalMs = 5_000;

/**
 * Start, stop and restart of machines, and their TTL leases: a machine whose lease runs out
 * is deleted, cancelling the run that holds it first.
 */
export class MachineLifecycle {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly machines: MachineService,
    private readonly drivers: DriverRegistry,
    private readonly logger: Logger,
    private readonly cancelRun: CancelRun,
  ) {}

  async start(organizationId: string, machineId: string): Promise<string> {
    const row = await this.machines.row(organizationId, machineId);
    if (row.status === 'running') {
      return 'The machine is already running.';
    }
    await this.boot(row);
    return 'The machine was started.';
  }

  async stop(organizationId: string, machineId: string): Promise<string> {
    const row = await this.machines.row(organizationId, machineId);
    await this.refuseWhileHeld(machineId, 'stop');
    if (row.status === 'stopped') {
      return 'The machine is already stopped.';
    }
    await this.drivers.driverFor(row.desktop_enabled === 1).destroy(machineId);
    await this.setStatus(machineId, 'stopped', { started_at: null });
    return 'The machine was stopped; its home directory is kept.';
  }

  async restart(organizationId: string, machineId: string): Promise<string> {
    const row = await this.machines.row(organizationId, machineId);
    await this.refuseWhileHeld(machineId, 'restart');
    await this.drivers.driverFor(row.desktop_enabled === 1).destroy(machineId);
    await this.boot(row);
    return 'The machine was restarted.';
  }

  /** Sets the lease to `ttlMinutes` from now, or clears it with 0. */
  async setLease(organizationId: string, machineId: string, ttlMinutes: number) {
    await this.machines.row(organizationId, machineId);
    const autoDestroyAt = leaseEnd(this.clock.now(), ttlMinutes);
    const lease = {
      ttl_minutes: ttlMinutes === 0 ? null : ttlMinutes,
      auto_destroy_at: autoDestroyAt,
    };
    await this.store.db.updateTable('machines').set(lease).where('id', '=', machineId).execute();
    return lease;
  }

  startSweeping(): void {
    this.timer = setInterval(() => {
      this.expireLeases().catch((error: unknown) =>
        this.logger.error({ err: error }, 'machine lease sweep failed'),
      );
    }, sweepIntervalMs);
  }

  stopSweeping(): void {
    clearInterval(this.timer);
  }

  /** Deletes every machine whose lease has run out. */
  async expireLeases(): Promise<void> {
    const expired = await this.store.db
      .selectFrom('machines')
      .select(['id', 'organization_id'])
      .where('deleted_at', 'is', null)
      .where('auto_destroy_at', '<=', this.clock.now().toISOString())
      .execute();
    for (const machine of expired) {
      await this.expire(machine.organization_id, machine.id);
    }
  }

  private async expire(organizationId: string, machineId: string): Promise<void> {
    const holder = await this.holder(machineId);
    if (holder) {
      await this.cancelRun(organizationId, holder);
    }
    await this.machines.delete(organizationId, machineId);
    this.logger.info({ machine_id: machineId }, 'machine lease ran out; machine deleted');
  }

  private async boot(row: MachineRow): Promise<void> {
    await this.setStatus(row.id, 'starting');
    try {
      await this.drivers.driverFor(row.desktop_enabled === 1).start(specOf(row));
    } catch (error) {
      await this.setStatus(row.id, 'error');
      throw error;
    }
    await this.setStatus(row.id, 'running', { started_at: this.clock.now().toISOString() });
  }

  private async refuseWhileHeld(machineId: string, verb: string): Promise<void> {
    const runId = await this.holder(machineId);
    if (runId) {
      throw invalidState(`Machine ${machineId} is held by run ${runId}; cannot ${verb} it now.`, {
        run_id: runId,
      });
    }
  }

  private async holder(machineId: string): Promise<string | undefined> {
    const run = await this.store.db
      .selectFrom('runs')
      .select('id')
      .where('active_machine_id', '=', machineId)
      .executeTakeFirst();
    return run?.id;
  }

  private async setStatus(
    machineId: string,
    status: string,
    extra: { started_at?: string | null } = {},
  ): Promise<void> {
    await this.store.db
      .updateTable('machines')
      .set({ status, ...extra })
      .where('id', '=', machineId)
      .execute();
  }
}
