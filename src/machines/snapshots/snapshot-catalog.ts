import type { Selectable } from 'kysely';

import type { SnapshotRecord } from '../../contracts/index.js';
import { invalidState, notFound } from '../../errors/index.js';
import { olderThan } from '../../store/index.js';
import type { Database, Store } from '../../store/index.js';
import type { SnapshotFiles } from './snapshot-files.js';

type SnapshotRow = Selectable<Database['machine_snapshots']>;

export interface SnapshotFilter {
  machineId?: string;
  startingAfter?: string;
}

/** The snapshots an organization has: listed newest first, and deleted with their files. */
export class SnapshotCatalog {
  constructor(
    private readonly store: Store,
    private readonly files: SnapshotFiles,
  ) {}

  async list(organizationId: string, limit: number, filter: SnapshotFilter = {}) {
    let query = this.store.db
      .selectFrom('machine_snapshots')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (filter.machineId) {
      query = query.where('machine_id', '=', filter.machineId);
    }
    if (filter.startingAfter) {
      query = query.where(olderThan(await this.row(organizationId, filter.startingAfter)));
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toSnapshotRecord);
  }

  /** Deletes the snapshot and its files; one still being taken cannot be deleted yet. */
  async remove(organizationId: string, snapshotId: string): Promise<void> {
    const row = await this.row(organizationId, snapshotId);
    if (row.status === 'creating') {
      throw invalidState(`Snapshot ${snapshotId} is still being taken; delete it afterwards.`);
    }
    await this.store.db.deleteFrom('machine_snapshots').where('id', '=', snapshotId).execute();
    await this.files.remove(snapshotId);
  }

  private async row(organizationId: string, snapshotId: string): Promise<SnapshotRow> {
    const row = await this.store.db
      .selectFrom('machine_snapshots')
      .selectAll()
      .where('id', '=', snapshotId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    if (!row) {
      throw notFound('snapshot', snapshotId);
    }
    return row;
  }
}

function toSnapshotRecord(row: SnapshotRow): SnapshotRecord {
  return {
    id: row.id,
    object: 'machine.snapshot',
    machine_id: row.machine_id,
    name: row.name,
    status: row.status as SnapshotRecord['status'],
    desktop_enabled: row.desktop_enabled === 1,
    size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
    credits_charged: Number(row.credits_charged),
    created_at: row.created_at,
    completed_at: row.completed_at,
  };
}
