import type { Selectable } from 'kysely';

import type { Clock, IdGenerator } from '../../core/index.js';
import type { ProvisionRequest } from '../../contracts/index.js';
import { AppError, invalidState, notFound } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { transaction } from '../../store/index.js';
import type { Database, Store } from '../../store/index.js';
import type { WalletService } from '../../wallet/index.js';
import type { MachineService } from '../machine-service.js';
import type { DriverRegistry } from '../registry.js';
import type { Workspaces } from '../workspaces.js';
import type { SnapshotFiles } from './snapshot-files.js';

type SnapshotRow = Selectable<Database['machine_snapshots']>;

export interface SnapshotServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  wallet: WalletService;
  /** Finds the organization's machine, or answers 404. */
  machines: Pick<MachineService, 'row'>;
  drivers: DriverRegistry;
  workspaces: Workspaces;
  files: SnapshotFiles;
  /** The one-time fee of a snapshot, taken before its files are copied. */
  priceCredits: number;
}

/** The metadata key of a provision request that names the snapshot to restore. */
export const restoreMetadataKey = 'snapshot_id';

/** The statuses a machine can be snapshotted in: its home exists and nothing is changing it. */
const snapshottable = new Set(['running', 'stopped']);

/**
 * Snapshots of machines: a paid, restorable copy of a machine's home and browser profile.
 * The fee is taken in the same transaction that records the snapshot as `creating`; a capture
 * that fails, here or in a server that crashed during it, is marked `failed` and refunded.
 */
export class SnapshotService {
  constructor(private readonly deps: SnapshotServiceDeps) {}

  async take(organizationId: string, machineId: string, name?: string) {
    const machine = await this.deps.machines.row(organizationId, machineId);
    if (!snapshottable.has(machine.status)) {
      throw invalidState(`Machine ${machineId} is ${machine.status}; it cannot be snapshotted.`);
    }
    const row: SnapshotRow = {
      id: this.deps.ids.prefixed('snap', 12),
      organization_id: organizationId,
      machine_id: machineId,
      name: name ?? `${machine.display_name} ${this.deps.clock.now().toISOString()}`,
      status: 'creating',
      desktop_enabled: machine.desktop_enabled,
      credits_charged: this.deps.priceCredits,
      size_bytes: null,
      error: null,
      created_at: this.deps.clock.now().toISOString(),
      completed_at: null,
    };
    await this.reserve(row);

    try {
      // LIMITATION: a running Chromium writes cookies to disk some seconds late, so the newest
      // may be missing; asking the browser to flush its profile first would lift it.
      const profile = this.driverOf(machine.desktop_enabled).profileDirOf?.(machineId);
      const home = this.deps.workspaces.homeOf(machineId);
      const user = await this.deps.workspaces.userOf(machineId);
      const manifest = await this.deps.files.capture(row.id, { home, profile, user });
      await this.complete(row.id, manifest.sizeBytes);
    } catch (error) {
      this.deps.logger.error({ err: error, snapshot_id: row.id }, 'snapshot failed');
      await this.fail(row, 'The files could not be copied.');
      throw new AppError('SERVICE_UNAVAILABLE', 'The snapshot failed; its fee was refunded.', {
        cause: error,
      });
    }
    this.deps.logger.info({ snapshot_id: row.id, machine_id: machineId }, 'snapshot taken');
    return row;
  }

  /**
   * The snapshot a provision request restores: the one its metadata names under `snapshot_id`,
   * else the organization's newest. A request that cannot be served is refused here, before
   * anything is created.
   */
  async pick(organizationId: string, request: ProvisionRequest): Promise<string> {
    const named = request.metadata?.[restoreMetadataKey];
    let query = this.deps.store.db
      .selectFrom('machine_snapshots')
      .select(['id', 'status'])
      .where('organization_id', '=', organizationId);
    query =
      named === undefined ? query.where('status', '=', 'ready') : query.where('id', '=', named);
    const found = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();

    if (found?.status === 'ready') {
      return found.id;
    }
    if (found) {
      throw invalidState(`Snapshot ${found.id} is ${found.status}; only a ready one restores.`);
    }
    if (named !== undefined) {
      throw notFound('snapshot', named);
    }
    throw new AppError(
      'VALIDATION_ERROR',
      'restore_from_snapshot is true, but this organization has no snapshot yet.',
      { details: { field: 'body.restore_from_snapshot' } },
    );
  }

  /** Fills the home and browser profile of a machine that has not started yet. */
  async restore(snapshotId: string, machineId: string, desktopEnabled: boolean): Promise<void> {
    const profile = this.driverOf(desktopEnabled ? 1 : 0).profileDirOf?.(machineId);
    const home = this.deps.workspaces.homeOf(machineId);
    const user = await this.deps.workspaces.userOf(machineId);
    await this.deps.files.restore(snapshotId, { home, profile, user });
  }

  /**
   * Settles snapshots a crashed server left `creating`: one whose files were complete becomes
   * `ready`; any other is `failed`, its partial files removed and its fee refunded.
   */
  async recover(): Promise<void> {
    const pending = await this.deps.store.db
      .selectFrom('machine_snapshots')
      .selectAll()
      .where('status', '=', 'creating')
      .execute();
    for (const row of pending) {
      const manifest = await this.deps.files.manifest(row.id);
      if (manifest) {
        await this.complete(row.id, manifest.sizeBytes);
      } else {
        await this.deps.files.removePartial(row.id);
        await this.fail(row, 'The server stopped while the snapshot was taken.');
      }
    }
  }

  private async reserve(row: SnapshotRow): Promise<void> {
    await transaction(this.deps.store, async (trx) => {
      const charge = await this.deps.wallet.chargeFee(
        trx,
        row.organization_id,
        `snapshot:${row.id}`,
        row.credits_charged,
      );
      if (charge.kind === 'insufficient') {
        throw new AppError(
          'INSUFFICIENT_CREDITS',
          `A snapshot costs ${row.credits_charged} credits; the wallet holds ${charge.balance}.`,
          { details: { balance_credits: charge.balance, price_credits: row.credits_charged } },
        );
      }
      await trx.insertInto('machine_snapshots').values(row).execute();
    });
  }

  private async complete(snapshotId: string, sizeBytes: number): Promise<void> {
    await this.deps.store.db
      .updateTable('machine_snapshots')
      .set({
        status: 'ready',
        size_bytes: sizeBytes,
        completed_at: this.deps.clock.now().toISOString(),
      })
      .where('id', '=', snapshotId)
      .execute();
  }

  private async fail(row: SnapshotRow, reason: string): Promise<void> {
    await transaction(this.deps.store, async (trx) => {
      await trx
        .updateTable('machine_snapshots')
        .set({ status: 'failed', error: reason, completed_at: this.deps.clock.now().toISOString() })
        .where('id', '=', row.id)
        .execute();
      await this.deps.wallet.refundFee(trx, row.organization_id, `snapshot:${row.id}`);
    });
  }

  private driverOf(desktopEnabled: number) {
    return this.deps.drivers.driverFor(desktopEnabled === 1);
  }
}
