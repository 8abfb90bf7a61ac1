import type { AgentAction } from '../contracts/index.js';
import type { ActionOutcome, Observation } from '../machines/index.js';

/** One earlier step as the model sees it: what it decided and what each action did. */
export interface StepRecord {
  step: number;
  decision: ModelDecision;
  outcomes: ActionOutcome[];
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
  actions: AgentAction[];
  reasoning?: string;
  /** What the agent says to the user. */
  text?: string;
  /** Set when the agent holds the task finished, successfully or not. */
  done?: { success: boolean; summary: string };
  /** Set when the agent cannot go on without a person; the reason is shown to them. */
  needsHuman?: { reason: string };
  usage?: { inputTokens?: number; outputTokens?: number };
}

export interface DecideOptions {
  /** The run's cancellation and deadline; the call must stop when it aborts. */
  signal: AbortSignal;
}

/** A model drives the agent: it looks at the observation and history and picks actions. */
export interface Model {
  readonly name: string;
  decide(input: ModelInput, options: DecideOptions): Promise<ModelDecision>;
}
