import type { Clock, IdGenerator } from '../core/index.js';
import type { MachineRecord, ProvisionRequest } from '../contracts/index.js';
import { AppError, invalidState, notFound } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { olderThan } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { Machine, MachineDriver } from './driver.js';
import { newMachineRow, refuseUnsupported, specOf, toRecord } from './machine-row.js';
import type { MachineRow } from './machine-row.js';
import type { DriverRegistry } from './registry.js';
import type { Workspaces } from './workspaces.js';

/** Fills a machine being created from a snapshot (see `snapshots/`). */
export interface SnapshotRestorer {
  /** The snapshot the request restores; refuses a request that names none that exists. */
  pick(organizationId: string, request: ProvisionRequest): Promise<string>;
  restore(snapshotId: string, machineId: string, desktopEnabled: boolean): Promise<void>;
}

/** Machines of each organization: their records, and their sandboxes through a driver. */
export class MachineService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly drivers: DriverRegistry,
    private readonly workspaces: Workspaces,
    private readonly logger: Logger,
    private readonly snapshots?: SnapshotRestorer,
  ) {}

  async create(organizationId: string, request: ProvisionRequest): Promise<MachineRecord> {
    refuseUnsupported(request);
    const snapshotId = request.restore_from_snapshot
      ? await this.snapshotToRestore(organizationId, request)
      : undefined;
    const row = newMachineRow(organizationId, request, this.ids.uuid(), this.clock);
    await this.store.db.insertInto('machines').values(row).execute();

    try {
      if (snapshotId !== undefined) {
        await this.snapshots?.restore(snapshotId, row.id, request.desktop_enabled);
      }
      await this.driverOf(row).start(specOf(row));
    } catch (error) {
      this.logger.error({ err: error, machine_id: row.id }, 'machine failed to start');
      await this.setStatus(row.id, 'error');
      throw new AppError('SERVICE_UNAVAILABLE', 'The machine could not be started.', {
        cause: error,
      });
    }
    const startedAt = this.clock.now().toISOString();
    await this.store.db
      .updateTable('machines')
      .set({ status: 'running', started_at: startedAt })
      .where('id', '=', row.id)
      .execute();
    this.logger.info({ machine_id: row.id }, 'machine ready');
    return toRecord({ ...row, status: 'running', started_at: startedAt });
  }

  /** Newest first; `startingAfter` continues after that machine of an earlier page. */
  async list(organizationId: string, limit: number, startingAfter?: string) {
    let query = this.store.db
      .selectFrom('machines')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null);
    if (startingAfter) {
      const cursor = await this.row(organizationId, startingAfter);
      query = query.where(olderThan(cursor));
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async get(organizationId: string, machineId: string): Promise<MachineRecord> {
    return toRecord(await this.row(organizationId, machineId));
  }

  /** Destroys the machine's sandbox; a machine that a run holds must be freed first. */
  async delete(organizationId: string, machineId: string): Promise<void> {
    const row = await this.row(organizationId, machineId);
    const holder = await this.store.db
      .selectFrom('runs')
      .select('id')
      .where('active_machine_id', '=', machineId)
      .executeTakeFirst();
    if (holder) {
      throw invalidState(`Machine ${machineId} is driving run ${holder.id}; cancel it first.`);
    }

    await this.setStatus(machineId, 'deleting');
    await this.driverOf(row).destroy(machineId);
    await this.workspaces.remove(machineId);
    await this.store.db
      .updateTable('machines')
      .set({ status: 'terminated', deleted_at: this.clock.now().toISOString() })
      .where('id', '=', machineId)
      .execute();
  }

  /** A running machine for the run engine, brought back up if the server restarted. */
  async open(machineId: string): Promise<Machine> {
    const row = await this.store.db
      .selectFrom('machines')
      .selectAll()
      .where('id', '=', machineId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) {
      throw new Error(`Machine ${machineId} no longer exists.`);
    }
    if (row.status !== 'running') {
      throw new Error(`Machine ${machineId} is ${row.status}.`);
    }
    const driver = this.driverOf(row);
    await driver.start(specOf(row));
    return driver.open(machineId);
  }

  /**
   * The machine's VNC server, started with its desktop (and brought back up if the server
   * restarted): its loopback port and password. Undefined for a machine without one, or one
   * that is not running.
   */
  async vncOf(
    organizationId: string,
    machineId: string,
  ): Promise<{ port: number; password: string } | undefined> {
    const row = await this.row(organizationId, machineId);
    if (row.vnc_password === null || row.status !== 'running') {
      return undefined;
    }
    await this.open(machineId);
    const port = this.driverOf(row).vncPortOf?.(machineId);
    return port === undefined ? undefined : { port, password: row.vnc_password };
  }

  /** The record, if the organization owns a machine that is not deleted; else a 404. */
  async row(organizationId: string, machineId: string): Promise<MachineRow> {
    const row = await this.store.db
      .selectFrom('machines')
      .selectAll()
      .where('id', '=', machineId)
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) {
      throw notFound('machine', machineId);
    }
    return row;
  }

  private async snapshotToRestore(organizationId: string, request: ProvisionRequest) {
    if (!this.snapshots) {
      throw new AppError('VALIDATION_ERROR', 'This server does not restore snapshots.', {
        details: { field: 'body.restore_from_snapshot' },
      });
    }
    return this.snapshots.pick(organizationId, request);
  }

  private driverOf(row: MachineRow): MachineDriver {
    return this.drivers.driverFor(row.desktop_enabled === 1);
  }

  private async setStatus(machineId: string, status: string): Promise<void> {
    await this.store.db
      .updateTable('machines')
      .set({ status })
      .where('id', '=', machineId)
      .execute();
  }
}
