import type { Config } from '../config/index.js';
import type { Clock } from '../core/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { MachineService, Workspaces } from '../machines/index.js';
import { tesseractReader } from '../models/index.js';
import type { ModelRegistry } from '../models/index.js';
import {
  AgentTerminal,
  RunEngine,
  RunLoop,
  RunTransitions,
  StepLedger,
  Verifier,
} from '../runs/index.js';
import type { RunModels } from '../runs/index.js';
import type { Store } from '../store/index.js';
import type { WalletService } from '../wallet/index.js';
import { readInstanceId } from './instance-id.js';

export interface RunEngineWiringDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  events: EventLog;
  wallet: WalletService;
  machines: MachineService;
  workspaces: Workspaces;
  models: ModelRegistry;
  runModels: RunModels;
}

export interface RunEngineWiring {
  transitions: RunTransitions;
  ledger: StepLedger;
  engine: RunEngine;
}

/** Builds the engine that drives runs, with its loop, step ledger, verifier and terminal. */
export function buildRunEngineWiring(deps: RunEngineWiringDeps): RunEngineWiring {
  const { config, store, clock, logger, events, wallet, machines, workspaces, models } = deps;
  const { runModels } = deps;
  const transitions = new RunTransitions(events, clock);
  const ledger = new StepLedger(events, wallet, clock, config.stepPriceCredits);
  const verifier = new Verifier({
    workspaces,
    readScreenText: tesseractReader(),
    judge: () => (config.verifierModel ? models.resolve(config.verifierModel) : undefined),
  });
  const terminal = new AgentTerminal(workspaces);
  const loop = new RunLoop({
    ...{ store, events, transitions, ledger, machines, models, logger },
    verifier,
    terminal,
    modelFor: (run) => runModels.modelFor(run),
    releaseModel: (runId) => runModels.release(runId),
  });
  const engine = new RunEngine({
    store,
    clock,
    logger,
    events,
    transitions,
    loop,
    workers: config.workers,
    instanceId: readInstanceId(config.dataDir),
  });
  return { transitions, ledger, engine };
}
