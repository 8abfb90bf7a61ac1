import type { Machine, Observation, Workspaces } from '../../machines/index.js';
import type { Model, ReadScreenText } from '../../models/index.js';
import { checkCriterion } from './criteria-checks.js';
import type { CheckResult, Criterion } from './criteria-checks.js';

/** The verifier's answer after the agent says it is done: stored in the run's `result`. */
export interface Verdict {
  passed: boolean;
  reason: string;
  checks: Array<CheckResult | JudgeCheck>;
}

/** The vision model's judgement of the final screenshot against the task. */
export interface JudgeCheck {
  type: 'model_judgement';
  model: string;
  passed: boolean;
  detail: string;
}

export interface VerifierDeps {
  workspaces: Workspaces;
  readScreenText: ReadScreenText;
  /** A vision model that judges the final screen; without one only the criteria count. */
  judge?: () => Model | undefined;
}

export interface VerifyInput {
  runId: string;
  task: string;
  machine: Machine;
  criteria: Criterion[];
  signal: AbortSignal;
}

/**
 * The pass/fail check of cua_version v4 and v5: each success criterion on a fresh look at the
 * machine, then, with a vision model configured, that model's judgement of the screen.
 */
export class Verifier {
  constructor(private readonly deps: VerifierDeps) {}

  async verify(input: VerifyInput): Promise<Verdict> {
    const observation = await input.machine.observe({ signal: input.signal });
    const checks: Verdict['checks'] = [];
    for (const criterion of input.criteria) {
      checks.push(
        await checkCriterion(criterion, {
          machineId: input.machine.id,
          observation,
          workspaces: this.deps.workspaces,
          readScreenText: this.deps.readScreenText,
          signal: input.signal,
        }),
      );
    }
    const judge = this.deps.judge?.();
    if (judge) {
      checks.push(await this.judgement(judge, input, observation));
    }
    return verdictOf(checks);
  }

  private async judgement(model: Model, input: VerifyInput, observation: Observation) {
    const decision = await model.decide(
      {
        runId: input.runId,
        step: 1,
        maxSteps: 1,
        task:
          `Judge, without acting, whether this task is complete on the screen shown: ` +
          `${input.task}\nAnswer done with success true or false and a one-line reason.`,
        instructions: null,
        systemPrompt: null,
        observation,
        history: [],
        humanNote: null,
        variables: {},
        secretNames: [],
      },
      { signal: input.signal },
    );
    const passed = decision.done?.success === true;
    const detail = decision.done?.summary ?? decision.text ?? 'The model gave no judgement.';
    return { type: 'model_judgement' as const, model: model.name, passed, detail };
  }
}

function verdictOf(checks: Verdict['checks']): Verdict {
  const failed = checks.filter((check) => !check.passed);
  if (checks.length === 0) {
    return {
      passed: true,
      reason: 'No success criteria and no judge: the agent’s word holds.',
      checks,
    };
  }
  if (failed.length === 0) {
    return { passed: true, reason: `All ${checks.length} checks hold.`, checks };
  }
  return {
    passed: false,
    reason: failed.map((check) => check.detail).join(' '),
    checks,
  };
}
