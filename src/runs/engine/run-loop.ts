import type { Machine } from '../../machines/index.js';
import type { ModelDecision, StepRecord } from '../../models/index.js';
import { readJson } from '../../store/index.js';
import type { RunRow } from '../run-row.js';
import { RunFailure } from './interrupt.js';
import type { LoopState, RunLoopDeps } from './loop-state.js';
import { NamedValues } from './named-values.js';
import { askHuman, finishRun, pauseForCredits, stopOnError } from './run-endings.js';
import { keepInterrupted, performActions } from './step-actions.js';
import { noteEvents, stepSummary, thoughtsOf } from './step-events.js';
import { verifyClaim } from './verification-step.js';
import { verifies } from './verification.js';

export type { RunLoopDeps } from './loop-state.js';

/**
 * Drives one run: observe → decide → act → record, a step at a time, until the model says
 * it is done, needs a human, or the run runs out of steps, time or credits.
 */
export class RunLoop {
  constructor(private readonly deps: RunLoopDeps) {}

  async drive(run: RunRow, signal: AbortSignal): Promise<void> {
    try {
      const state = await this.prepare(run, signal);
      await this.steps(state);
    } catch (error) {
      await stopOnError(this.deps, run, error, signal);
    }
  }

  private async prepare(run: RunRow, signal: AbortSignal): Promise<LoopState> {
    const model = this.deps.modelFor
      ? await this.deps.modelFor(run)
      : this.deps.models.resolve(run.model);
    let machine: Machine;
    try {
      machine = await this.deps.machines.open(run.machine_id);
    } catch (error) {
      throw new RunFailure('MACHINE_UNAVAILABLE', 'The machine could not be opened.', {
        cause: error,
      });
    }
    const history = await this.deps.ledger.history(run.id, this.deps.store.db);
    const values = new NamedValues(readJson(run.variables, {}), readJson(run.secrets, {}));
    const deadlineAtMs = Date.now() + Math.max(0, run.deadline_seconds * 1000 - run.active_ms);
    return {
      run,
      machine,
      model,
      values,
      history,
      humanNote: run.resume_note,
      signal,
      deadlineAtMs,
    };
  }

  private async steps(state: LoopState): Promise<void> {
    const { run } = state;
    for (;;) {
      const stepsCompleted = state.history.length;
      if (stepsCompleted >= run.max_steps) {
        const message = `The run used all ${run.max_steps} steps without finishing.`;
        const error = { code: 'MAX_STEPS_REACHED', message };
        return finishRun(this.deps, run, 'timed_out', { error });
      }

      const step = stepsCompleted + 1;
      const paid = await this.deps.ledger.charge(run, step);
      if (paid === 'insufficient') {
        return pauseForCredits(this.deps, run, step);
      }
      if (paid === 'not_running') {
        return;
      }

      const decision = await this.step(state, step);
      if (!decision) {
        return;
      }
      if (decision.needsHuman) {
        return askHuman(this.deps, run, decision.needsHuman.reason);
      }
      if (decision.done?.success && this.deps.verifier && verifies(run)) {
        if (await verifyClaim(this.deps, state, step, decision.done.summary)) {
          return;
        }
        continue;
      }
      if (decision.done) {
        const { success, summary } = decision.done;
        return finishRun(this.deps, run, success ? 'succeeded' : 'failed', {
          result: { success, summary, steps: step },
          error: success ? undefined : { code: 'TASK_FAILED', message: summary },
        });
      }
    }
  }

  /** One step; its decision once recorded, or undefined if the run stopped meanwhile. */
  private async step(state: LoopState, step: number): Promise<ModelDecision | undefined> {
    const { run, signal } = state;
    const observation = await state.machine.observe({ signal });

    const startedMs = Date.now();
    const decision = await state.model.decide(
      {
        runId: run.id,
        step,
        maxSteps: run.max_steps,
        task: run.task,
        instructions: run.instructions,
        systemPrompt: run.system_prompt,
        observation,
        history: [...state.history],
        humanNote: state.humanNote,
        variables: state.values.variables,
        secretNames: state.values.secretNames(),
      },
      { signal, deadlineAtMs: state.deadlineAtMs },
    );
    const modelMs = Date.now() - startedMs;
    await noteEvents(this.deps, state, thoughtsOf(step, decision));

    const { outcomes, interrupted, started } = await performActions(
      this.deps,
      state,
      step,
      decision.actions,
    );
    const record: StepRecord = { step, decision: state.values.redact(decision), outcomes };
    if (interrupted) {
      await keepInterrupted(this.deps, state, record, started);
      throw state.signal.reason;
    }
    const summary = stepSummary(state, observation, decision, outcomes, modelMs);
    if (!(await this.deps.ledger.complete(run, record, summary))) {
      return undefined;
    }
    state.history.push(record);
    state.humanNote = null;
    return decision;
  }
}
