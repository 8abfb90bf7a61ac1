export { RunService } from './run-service.js';
export type { OwnProviderHeaders, RunServiceDeps } from './run-service.js';
export { RunTransitions } from './run-transitions.js';
export { runRoutes } from './run-routes.js';
export { toRunResponse, isTerminal } from './run-row.js';
export type { RunRow } from './run-row.js';
export { RunEngine } from './engine/run-engine.js';
export { RunLoop } from './engine/run-loop.js';
export { StepLedger } from './engine/step-ledger.js';
