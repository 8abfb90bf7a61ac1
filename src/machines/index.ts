export type {
  ActionOutcome,
  CallOptions,
  Machine,
  MachineDriver,
  MachineSpec,
  Observation,
} from './driver.js';
export { MachineService } from './machine-service.js';
export { machineRoutes } from './machine-routes.js';
