import { RunRequest } from '../../contracts/index.js';
import type { Clock } from '../../core/index.js';
import type { Scope, Step, TaskStep } from '../definition/index.js';
import { ExpressionError, evaluateCondition, render } from '../definition/index.js';
import type { WorkflowRunRow } from '../workflow-row.js';
import type { ChildRuns } from './child-runs.js';
import { runControlStep } from './control-steps.js';
import { StepFailure, Suspended, WorkflowInterrupt, sleep } from './outcomes.js';
import { StepStore } from './step-store.js';
import type { StepIdentity, StepResult } from './step-store.js';

/** Where a list of steps runs: the key prefix of its instances, its scope, its machine. */
export interface Frame {
  prefix: string;
  scope: Scope & { steps: Record<string, StepResult> };
  machineId: string | null;
}

export interface InterpreterDeps {
  clock: Clock;
  steps: StepStore;
  children: ChildRuns;
  workflowRun: WorkflowRunRow;
  signal: AbortSignal;
}

/**
 * Walks a definition. Every step instance has a key made of its path (`rows/2/fill`), and
 * the store keeps each one's state under it, so walking again after a restart reads what
 * was done and continues at the first step that had not ended.
 */
export class Interpreter {
  constructor(readonly deps: InterpreterDeps) {}

  async runSteps(steps: Step[], frame: Frame): Promise<void> {
    for (const step of steps) {
      await this.runStep(step, frame);
    }
  }

  /** Runs one step; a failure throws {@link StepFailure} unless the step carries on. */
  async runStep(step: Step, frame: Frame): Promise<StepResult> {
    if (this.deps.signal.aborted) {
      throw this.deps.signal.reason as WorkflowInterrupt;
    }
    const identity = { key: frame.prefix + step.id, stepId: step.id, type: step.type };
    let result: StepResult;
    try {
      result = await this.execute(step, identity, frame);
    } catch (error) {
      if (!(error instanceof StepFailure)) {
        throw error;
      }
      // A nested step failed: the step around it ends failed with the same reason.
      result = { status: 'failed', output: null, error: error.error };
      await this.deps.steps.begin(identity);
      await this.deps.steps.finish(identity, result);
    }
    frame.scope.steps[step.id] = result;
    if (result.status === 'failed' && !step.continue_on_error) {
      throw new StepFailure(result.error ?? { code: 'STEP_FAILED', step_id: step.id });
    }
    return result;
  }

  /** Evaluates a condition, turning a bad expression into the step's failure. */
  async condition(source: string, frame: Frame, stepId: string): Promise<boolean> {
    return this.guarded(stepId, () => evaluateCondition(source, frame.scope));
  }

  async guarded<T>(stepId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new StepFailure({
          code: 'EXPRESSION_ERROR',
          message: error.message,
          step_id: stepId,
        });
      }
      throw error;
    }
  }

  /** Waits until `wakeAt`, durably: a restarted run waits only for what is left. */
  async waitUntil(identity: StepIdentity, seconds: number): Promise<StepResult> {
    const wakeAt = new Date(this.deps.clock.now().getTime() + seconds * 1000).toISOString();
    const row = await this.deps.steps.begin(identity, { wakeAt });
    const done = StepStore.resultOf(row);
    if (done) {
      return done;
    }
    const leftMs = Date.parse(row.wake_at ?? wakeAt) - this.deps.clock.now().getTime();
    await sleep(Math.max(0, leftMs), this.deps.signal);
    const result: StepResult = { status: 'succeeded', output: { seconds }, error: null };
    await this.deps.steps.finish(identity, result);
    return result;
  }

  private execute(step: Step, identity: StepIdentity, frame: Frame): Promise<StepResult> {
    switch (step.type) {
      case 'task':
        return this.task(step, identity, frame);
      case 'wait':
        return this.waitUntil(identity, step.seconds);
      case 'assert':
        return this.assert(step.condition, step.message, identity, frame);
      case 'human_approval':
        return this.approval(identity, step.message, frame);
      default:
        return runControlStep(this, step, identity, frame);
    }
  }

  private async task(step: TaskStep, identity: StepIdentity, frame: Frame): Promise<StepResult> {
    const done = StepStore.resultOf(await this.deps.steps.read(identity.key));
    if (done) {
      return done;
    }
    const request = await this.guarded(step.id, () => this.runRequest(step, frame));
    if (!request.success) {
      const issue = request.error.issues[0];
      const message = `${issue?.path.join('.') ?? 'task'}: ${issue?.message ?? 'is not valid'}`;
      const error = { code: 'VALIDATION_ERROR', message, step_id: step.id };
      await this.deps.steps.begin(identity);
      const result: StepResult = { status: 'failed', output: null, error };
      await this.deps.steps.finish(identity, result);
      return result;
    }
    return this.deps.children.run(identity, request.data, this.deps.signal);
  }

  /** The step's run request, its templates filled in from the scope. */
  private async runRequest(step: TaskStep, frame: Frame) {
    const { id: _id, type: _type, continue_on_error: _carryOn, ...fields } = step;
    const scope = frame.scope;
    const renderAll = async (values: Record<string, string> | undefined) =>
      values &&
      Object.fromEntries(
        await Promise.all(
          Object.entries(values).map(async ([name, value]) => [name, await render(value, scope)]),
        ),
      );
    const machineId = step.machine_id ? await render(step.machine_id, scope) : frame.machineId;
    return RunRequest.safeParse({
      ...fields,
      machine_id: machineId ?? undefined,
      task: await render(step.task, scope),
      instructions: step.instructions && (await render(step.instructions, scope)),
      system_prompt: step.system_prompt && (await render(step.system_prompt, scope)),
      variables: await renderAll(step.variables),
      secrets: await renderAll(step.secrets),
      llm: step.llm ?? readLlm(this.deps.workflowRun.llm),
    });
  }

  private async assert(
    condition: string,
    message: string | undefined,
    identity: StepIdentity,
    frame: Frame,
  ): Promise<StepResult> {
    const row = await this.deps.steps.begin(identity);
    const done = StepStore.resultOf(row);
    if (done) {
      return done;
    }
    const holds = await this.condition(condition, frame, identity.stepId);
    const said =
      message && (await this.guarded(identity.stepId, () => render(message, frame.scope)));
    const result: StepResult = holds
      ? { status: 'succeeded', output: { holds }, error: null }
      : {
          status: 'failed',
          output: { holds },
          error: {
            code: 'ASSERTION_FAILED',
            message: said || `Assertion '${condition}' did not hold.`,
            step_id: identity.stepId,
          },
        };
    await this.deps.steps.finish(identity, result);
    return result;
  }

  private async approval(
    identity: StepIdentity,
    message: string | undefined,
    frame: Frame,
  ): Promise<StepResult> {
    const row = await this.deps.steps.begin(identity);
    const done = StepStore.resultOf(row);
    if (done) {
      return done;
    }
    const question =
      message && (await this.guarded(identity.stepId, () => render(message, frame.scope)));
    await this.deps.steps.markAwaiting(identity.key);
    throw new Suspended(identity.key, question || `Approve step '${identity.stepId}' to go on.`);
  }
}

function readLlm(text: string | null): RunRequest['llm'] {
  return text ? (JSON.parse(text) as RunRequest['llm']) : undefined;
}
