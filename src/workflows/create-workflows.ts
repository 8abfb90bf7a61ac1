import type { Clock, IdGenerator } from '../core/index.js';
import type { EventBus, EventLog } from '../events/index.js';
import type { AnyRoute } from '../http/index.js';
import type { Logger } from '../log/index.js';
import type { RunService } from '../runs/index.js';
import type { Store } from '../store/index.js';
import type { WalletService } from '../wallet/index.js';
import { WorkflowDriver } from './engine/workflow-driver.js';
import { WorkflowEngine } from './engine/workflow-engine.js';
import { WorkflowRunService } from './workflow-run-service.js';
import { workflowRunRoutes } from './workflow-run-routes.js';
import { workflowRoutes } from './workflow-routes.js';
import { WorkflowService } from './workflow-service.js';
import { WorkflowTransitions } from './workflow-transitions.js';

export interface WorkflowsDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  events: EventLog;
  bus: EventBus;
  runs: RunService;
  wallet: WalletService;
  stepPriceCredits: number;
  sseHeartbeatMs: number;
  instanceId: string;
  checkWebhookUrl(url: string): void;
  newWebhookSecret(): string;
}

export interface Workflows {
  routes: AnyRoute[];
  engine: WorkflowEngine;
}

/** Builds the workflow services, their engine and their routes. */
export function createWorkflows(deps: WorkflowsDeps): Workflows {
  const transitions = new WorkflowTransitions(deps.events, deps.clock);
  const driver = new WorkflowDriver({ ...deps, transitions });
  const engine = new WorkflowEngine({ ...deps, transitions, driver });
  const workflows = new WorkflowService(deps.store, deps.clock, deps.ids);
  const runs = new WorkflowRunService({
    ...deps,
    transitions,
    driver,
    wakeEngine: () => engine.wake(),
    interrupt: (id) => engine.interrupt(id),
  });
  const routes = [...workflowRoutes(workflows), ...workflowRunRoutes({ ...deps, workflows, runs })];
  return { routes, engine };
}
