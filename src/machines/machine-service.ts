import { randomBytes } from 'node:crypto';

import type { Selectable } from 'kysely';

import type { Clock, IdGenerator } from '../core/index.js';
import type { MachineRecord, ProvisionRequest } from '../contracts/index.js';
import { AppError, invalidState, notFound } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { olderThan, readJson, writeJson } from '../store/index.js';
import type { Database, Store } from '../store/index.js';
import type { Machine, MachineDriver, MachineSpec } from './driver.js';
import type { DriverRegistry } from './registry.js';
import type { Workspaces } from './workspaces.js';

export type MachineRow = Selectable<Database['machines']>;

const defaultScreen = { width: 1280, height: 800 };

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
    const now = this.clock.now().toISOString();
    const row: MachineRow = {
      id: this.ids.uuid(),
      organization_id: organizationId,
      display_name: request.display_name,
      status: 'provisioning',
      os_type: request.os_type,
      desktop_enabled: request.desktop_enabled ? 1 : 0,
      screen_width: defaultScreen.width,
      screen_height: defaultScreen.height,
      metadata: writeJson(request.metadata ?? {}),
      created_at: now,
      started_at: null,
      deleted_at: null,
      ttl_minutes: request.ttl_minutes ?? null,
      auto_destroy_at: leaseEnd(this.clock.now(), request.ttl_minutes ?? null),
      vnc_password: request.desktop_enabled ? newVncPassword() : null,
    };
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

function refuseUnsupported(request: ProvisionRequest): void {
  if (request.os_type === 'windows') {
    throw new AppError(
      'VALIDATION_ERROR',
      'os_type windows is not offered by this server; use linux.',
      {
        details: { field: 'body.os_type', supported: ['linux'] },
      },
    );
  }
}

/** When a lease of `ttlMinutes` from `now` runs out; null for none (0 or null). */
export function leaseEnd(now: Date, ttlMinutes: number | null): string | null {
  return ttlMinutes ? new Date(now.getTime() + ttlMinutes * 60_000).toISOString() : null;
}

export function specOf(row: MachineRow): MachineSpec {
  return {
    id: row.id,
    desktopEnabled: row.desktop_enabled === 1,
    screenWidth: row.screen_width,
    screenHeight: row.screen_height,
    vncPassword: row.vnc_password ?? undefined,
  };
}

/**
 * VNC authentication reads only the first 8 characters of a password, so it gets 8 random
 * ones (48 bits); the port is on loopback only.
 */
function newVncPassword(): string {
  return randomBytes(6).toString('base64url');
}

export function toRecord(row: MachineRow): MachineRecord {
  return {
    id: row.id,
    display_name: row.display_name,
    status: row.status as MachineRecord['status'],
    os_type: row.os_type as MachineRecord['os_type'],
    desktop_enabled: row.desktop_enabled === 1,
    cpu_cores: 1,
    memory_gb: 2,
    storage_gb: 10,
    public_ip: null,
    is_test: false,
    created_at: row.created_at,
    started_at: row.started_at,
    auto_destroy_at: row.auto_destroy_at,
    ttl_minutes: row.ttl_minutes,
    metadata: readJson<Record<string, string>>(row.metadata, {}),
  };
}
