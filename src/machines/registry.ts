import { join } from 'node:path';

import type { Logger } from '../log/index.js';
import { createBrowserDriver } from './browser/index.js';
import { createDesktopDriver } from './desktop/index.js';
import type { DesktopDriver } from './desktop/index.js';
import type { MachineDriver } from './driver.js';

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
}

/** The `local` drivers: a headless browser, and a desktop on its own X display. */
export function createLocalDrivers(options: RegistryOptions): DriverRegistry {
  const headless = createBrowserDriver({
    executablePath: options.chromiumPath,
    logger: options.logger,
  });
  const desktop: DesktopDriver = createDesktopDriver({
    stateDir: join(options.dataDir, 'desktops'),
    chromiumPath: options.chromiumPath,
    logger: options.logger,
  });

  return {
    driverFor: (desktopEnabled) => (desktopEnabled ? desktop : headless),
    async reapOrphans() {
      const { machineIds } = await desktop.reapOrphans();
      if (machineIds.length > 0) {
        options.logger.warn({ machine_ids: machineIds }, 'reaped desktops of a crashed server');
      }
    },
    async close() {
      await Promise.all([headless.close(), desktop.close()]);
    },
  };
}
