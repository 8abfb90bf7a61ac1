export { createDesktopDriver } from './desktop-driver.js';
export type {
  DesktopDriver,
  DesktopDriverLogger,
  DesktopDriverOptions,
  ReapReport,
} from './desktop-driver.js';
export type { MachineState } from './machine-state.js';
export { killGroup, sleep } from './processes.js';
