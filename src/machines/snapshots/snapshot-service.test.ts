import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { randomIds, systemClock } from '../../core/index.js';
import { createLogger } from '../../log/index.js';
import { transaction } from '../../store/index.js';
import { openTestStore, unitTestStores } from '../../store/test-kit.js';
import { WalletService } from '../../wallet/index.js';
import { Workspaces } from '../workspaces.js';
import { SnapshotFiles } from './snapshot-files.js';
import { SnapshotService } from './snapshot-service.js';
import type { MachineRow } from '../machine-row.js';
import type { DriverRegistry } from '../registry.js';

describe.each(unitTestStores)('snapshots a crashed server left behind, on %s', (kind) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  const root = mkdtempSync(join(tmpdir(), 'dh-snapshots-'));
  const files = new SnapshotFiles(join(root, 'snapshots'));
  const workspaces = new Workspaces(join(root, 'machines'));
  let wallet: WalletService;
  let snapshots: SnapshotService;

  beforeAll(async () => {
    store = await openTestStore(kind);
    wallet = new WalletService(store, systemClock, randomIds);
    const now = new Date().toISOString();
    await store.db
      .insertInto('organizations')
      .values({ id: 'org', name: 'o', created_at: now })
      .execute();
    await wallet.topUp('org', 100);
    snapshots = new SnapshotService({
      store,
      clock: systemClock,
      ids: randomIds,
      logger: createLogger({ level: 'silent' }),
      wallet,
      machines: { row: async () => ({}) as MachineRow },
      drivers: { driverFor: () => ({}) } as unknown as DriverRegistry,
      workspaces,
      files,
      priceCredits: 10,
    });
  });
  afterAll(() => store.drop());

  /** What a server that died while copying leaves: the fee taken, the row `creating`. */
  async function interrupted(snapshotId: string): Promise<void> {
    await transaction(store, async (trx) => {
      await wallet.chargeFee(trx, 'org', `snapshot:${snapshotId}`, 10);
      await trx
        .insertInto('machine_snapshots')
        .values({
          id: snapshotId,
          organization_id: 'org',
          machine_id: 'm',
          name: snapshotId,
          status: 'creating',
          desktop_enabled: 0,
          credits_charged: 10,
          size_bytes: null,
          error: null,
          created_at: new Date().toISOString(),
          completed_at: null,
        })
        .execute();
    });
  }

  const statusOf = async (snapshotId: string) =>
    (
      await store.db
        .selectFrom('machine_snapshots')
        .select('status')
        .where('id', '=', snapshotId)
        .executeTakeFirstOrThrow()
    ).status;

  it('keeps a complete copy and refunds an incomplete one, once', async () => {
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'a.txt'), 'a');
    await interrupted('snap_complete');
    await files.capture('snap_complete', { home, user: await workspaces.userOf('m') });
    await interrupted('snap_partial');
    mkdirSync(join(root, 'snapshots', 'snap_partial.partial'));
    expect(await wallet.balance('org')).toBe(80);

    await snapshots.recover();
    await snapshots.recover();

    expect(await statusOf('snap_complete')).toBe('ready');
    expect(await statusOf('snap_partial')).toBe('failed');
    expect(existsSync(join(root, 'snapshots', 'snap_partial.partial'))).toBe(false);
    expect(await wallet.balance('org')).toBe(90);
  });
});
