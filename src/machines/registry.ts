import { join } from 'node:path';

import type { Logger } from '../log/index.js';
import { createBrowserDriver } from './browser/index.js';
import { createDesktopDriver } from './desktop/index.js';
import type { DesktopDriver } from './desktop/index.js';
import type { MachineDriver } from './driver.js';
import { MachineUsers } from './users/index.js';

/** The drivers of this host, one per kind of machine. */
export interface DriverRegistry {
  /** The driver of a machine with or without a desktop. */
  driverFor(desktopEnabled: boolean): MachineDriver;
  /** Removes what machines of a crashed server left on this host (processes, displays, files). */
  reapOrphans(): Promise<void>;
  close(): Promise<void>;
}

export interface RegistryOptions {
  dataDir: string;
  chromiumPath: string;
  logger: Logger;
  /** Each machine's Unix user; default as `MachineUsers` decides for this data dir. */
  users?: MachineUsers;
}

/** The `local` drivers: a headless browser, and a desktop on its own X display. */
export function createLocalDrivers(options: RegistryOptions): DriverRegistry {
  const users =
    options.users ?? new MachineUsers({ dataDir: options.dataDir, logger: options.logger });
  const headless = createBrowserDriver({
    executablePath: options.chromiumPath,
    users,
    logger: options.logger,
  });
  const desktop: DesktopDriver = createDesktopDriver({
    stateDir: join(options.dataDir, 'desktops'),
    chromiumPath: options.chromiumPath,
    users,
    logger: options.logger,
  });

  return {
    driverFor: (desktopEnabled) => (desktopEnabled ? desktop : headless),
    async reapOrphans() {
      // Machine users first: ending all their processes takes their browsers with them.
      const { removedUsers } = await users.prepare();
      const [browsers, desktops] = await Promise.all([
        headless.reapOrphans(),
        desktop.reapOrphans(),
      ]);
      const machineIds = [...browsers.machineIds, ...desktops.machineIds];
      if (machineIds.length > 0 || removedUsers.length > 0) {
        options.logger.warn(
          { machine_ids: machineIds, removed_users: removedUsers },
          'reaped machines of a crashed server',
        );
      }
    },
    async close() {
      await Promise.all([headless.close(), desktop.close()]);
    },
  };
}
