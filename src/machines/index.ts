export type {
  ActionOutcome,
  CallOptions,
  Machine,
  MachineDriver,
  MachineSpec,
  Observation,
  ObserveOptions,
  ScreenElement,
} from './driver.js';
export { MachineService } from './machine-service.js';
export { machineRoutes } from './machine-routes.js';
export { MachineActions } from './machine-actions.js';
export type { CommandResult } from './machine-actions.js';
export { actionRoutes } from './action-routes.js';
export { opRoutes } from './op-routes.js';
export { Workspaces } from './workspaces.js';
export { createLocalDrivers } from './registry.js';
export type { DriverRegistry, RegistryOptions } from './registry.js';
export { MachineLifecycle } from './machine-lifecycle.js';
export type { CancelRun } from './machine-lifecycle.js';
export { lifecycleRoutes } from './lifecycle-routes.js';
export { accessRoutes } from './access-routes.js';
export type { AccessRouteDeps } from './access-routes.js';
export {
  SnapshotCatalog,
  SnapshotFiles,
  SnapshotService,
  snapshotRoutes,
} from './snapshots/index.js';
export type { SnapshotRestorer } from './machine-service.js';
export { MachineUsers } from './users/index.js';
export type { MachineUser } from './users/index.js';
