import { join } from 'node:path';

import type { Config } from '../config/index.js';
import type { Clock, IdGenerator } from '../core/index.js';
import type { Logger } from '../log/index.js';
import {
  MachineService,
  MachineUsers,
  SnapshotFiles,
  SnapshotService,
  Workspaces,
  createLocalDrivers,
} from '../machines/index.js';
import type { DriverRegistry } from '../machines/index.js';
import type { Store } from '../store/index.js';
import type { WalletService } from '../wallet/index.js';

export interface MachineWiringDeps {
  config: Config;
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  wallet: WalletService;
  /** Drivers to use instead of the local ones the config describes. */
  drivers?: DriverRegistry;
}

export interface MachineWiring {
  drivers: DriverRegistry;
  workspaces: Workspaces;
  snapshotFiles: SnapshotFiles;
  snapshots: SnapshotService;
  machines: MachineService;
}

/** Builds the machines, their drivers, home directories and snapshots. */
export function buildMachineWiring(deps: MachineWiringDeps): MachineWiring {
  const { config, store, clock, ids, logger, wallet } = deps;
  const users = new MachineUsers({ dataDir: config.dataDir, logger });
  const drivers =
    deps.drivers ??
    createLocalDrivers({
      dataDir: config.dataDir,
      chromiumPath: config.chromiumPath,
      logger,
      users,
    });
  const workspaces = new Workspaces(join(config.dataDir, 'machines'), users);
  const snapshotFiles = new SnapshotFiles(join(config.dataDir, 'snapshots'));
  const snapshots: SnapshotService = new SnapshotService({
    store,
    clock,
    ids,
    logger,
    wallet,
    machines: { row: (organizationId, machineId) => machines.row(organizationId, machineId) },
    drivers,
    workspaces,
    files: snapshotFiles,
    priceCredits: config.snapshotPriceCredits,
  });
  const machines: MachineService = new MachineService(
    store,
    clock,
    ids,
    drivers,
    workspaces,
    logger,
    snapshots,
  );
  return { drivers, workspaces, snapshotFiles, snapshots, machines };
}
