import type { EventLog } from '../../events/index.js';
import type { Logger } from '../../log/index.js';
import type { Machine, MachineService } from '../../machines/index.js';
import type { Model, ModelRegistry, StepRecord } from '../../models/index.js';
import type { Store } from '../../store/index.js';
import type { RunRow } from '../run-row.js';
import type { RunTransitions } from '../run-transitions.js';
import type { Verifier } from '../verifier/index.js';
import type { AgentTerminal } from './agent-terminal.js';
import type { NamedValues } from './named-values.js';
import type { StepLedger } from './step-ledger.js';

export interface RunLoopDeps {
  store: Store;
  events: EventLog;
  transitions: RunTransitions;
  ledger: StepLedger;
  machines: MachineService;
  models: ModelRegistry;
  logger: Logger;
  /** Picks a run's model; by default the registry's model of the run's name. */
  modelFor?: (run: RunRow) => Promise<Model>;
  /** Lets go of what `modelFor` holds for a run that ended (its key among it). */
  releaseModel?: (runId: string) => void;
  /** The machine's terminal for models that run commands; without it they are refused. */
  terminal?: AgentTerminal;
  /** Checks a v4/v5 run's claim of success; without it those runs end on the agent's word. */
  verifier?: Verifier;
}

/** What the loop holds for one run while it drives it. */
export interface LoopState {
  run: RunRow;
  machine: Machine;
  model: Model;
  values: NamedValues;
  history: StepRecord[];
  humanNote: string | null;
  signal: AbortSignal;
  /** When the run's deadline passes, as the engine set it at launch (epoch ms). */
  deadlineAtMs: number;
}
