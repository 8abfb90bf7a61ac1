import type { AgentAction } from '../contracts/index.js';
import type { ActionOutcome, Observation } from '../machines/index.js';

/**
 * A command for the machine's terminal (a persistent shell in the machine's home), which some
 * models can call besides the screen actions. `restart` replaces the shell with a fresh one.
 */
export interface TerminalAction {
  type: 'terminal';
  command: string;
  restart?: boolean;
}

/** What a model may ask for in a step: a screen action, or a terminal command. */
export type ModelAction = AgentAction | TerminalAction;

/** What one action did; a terminal command also reports what it printed. */
export interface StepOutcome extends ActionOutcome {
  output?: string;
}

/** One earlier step as the model sees it: what it decided and what each action did. */
export interface StepRecord {
  step: number;
  decision: ModelDecision;
  /** One per action, in order; an action that was never performed says so in `error`. */
  outcomes: StepOutcome[];
}

/** Everything a model gets to decide one step. */
export interface ModelInput {
  runId: string;
  step: number;
  maxSteps: number;
  task: string;
  /** Appended to the base prompt. */
  instructions: string | null;
  /** Replaces the base prompt. */
  systemPrompt: string | null;
  observation: Observation;
  /** Earlier steps, oldest first. */
  history: StepRecord[];
  /** What a human answered when the run was resumed, once, on the step after the resume. */
  humanNote: string | null;
  /** Named values the agent may use. Secrets appear only by name, as `{{name}}`. */
  variables: Record<string, string>;
  secretNames: string[];
}

/** A model's answer for one step. */
export interface ModelDecision {
  /** Actions to perform in order; `{{name}}` in typed text stands for a variable or secret. */
  actions: ModelAction[];
  reasoning?: string;
  /** What the agent says to the user. */
  text?: string;
  /** Set when the agent holds the task finished, successfully or not. */
  done?: { success: boolean; summary: string };
  /** Set when the agent cannot go on without a person; the reason is shown to them. */
  needsHuman?: { reason: string };
  usage?: { inputTokens?: number; outputTokens?: number };
  /**
   * The provider's own record of its reply (raw content, call ids, how calls map to actions),
   * stored with the step so the conversation can be rebuilt exactly after a restart.
   */
  transcript?: unknown;
}

export interface DecideOptions {
  /** The run's cancellation and deadline; the call must stop when it aborts. */
  signal: AbortSignal;
  /** When the run's deadline passes (epoch ms): timeouts and retries are planned within it. */
  deadlineAtMs?: number;
}

/** A model drives the agent: it looks at the observation and history and picks actions. */
export interface Model {
  readonly name: string;
  decide(input: ModelInput, options: DecideOptions): Promise<ModelDecision>;
}
