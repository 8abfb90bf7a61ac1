import { isAppError } from '../../errors/index.js';
import type { EventLog, NewEvent } from '../../events/index.js';
import type { Logger } from '../../log/index.js';
import type { ActionOutcome, Machine, MachineService, Observation } from '../../machines/index.js';
import { ModelError } from '../../models/index.js';
import type {
  Model,
  ModelAction,
  ModelDecision,
  ModelRegistry,
  StepOutcome,
  StepRecord,
} from '../../models/index.js';
import type { Store } from '../../store/index.js';
import { readJson, writeJson } from '../../store/index.js';
import type { RunRow } from '../run-row.js';
import type { RunTransitions } from '../run-transitions.js';
import type { AgentTerminal } from './agent-terminal.js';
import { RunFailure, interruptOf } from './interrupt.js';
import { NamedValues } from './named-values.js';
import type { StepLedger } from './step-ledger.js';
import type { Verdict, Verifier } from '../verifier/index.js';
import {
  MAX_VERIFIER_FEEDBACK,
  claimsOfDone,
  criteriaOf,
  feedbackNote,
  verifies,
} from './verification.js';

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

interface LoopState {
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

interface StepError {
  code: string;
  message: string;
}

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
      await this.stopOnError(run, error, signal);
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
        return this.finish(run, 'timed_out', { error: { code: 'MAX_STEPS_REACHED', message } });
      }

      const step = stepsCompleted + 1;
      const paid = await this.deps.ledger.charge(run, step);
      if (paid === 'insufficient') {
        return this.pauseForCredits(run, step);
      }
      if (paid === 'not_running') {
        return;
      }

      const decision = await this.step(state, step);
      if (!decision) {
        return;
      }
      if (decision.needsHuman) {
        return this.askHuman(run, decision.needsHuman.reason);
      }
      if (decision.done?.success && this.deps.verifier && verifies(run)) {
        if (await this.verified(state, step, decision.done.summary)) {
          return;
        }
        continue;
      }
      if (decision.done) {
        const { success, summary } = decision.done;
        return this.finish(run, success ? 'succeeded' : 'failed', {
          result: { success, summary, steps: step },
          error: success ? undefined : { code: 'TASK_FAILED', message: summary },
        });
      }
    }
  }

  /**
   * Verifies a claim of success: the run ends with the verdict when it passed or feedback is
   * used up (true); otherwise the verdict's reason reaches the agent as its next note (false).
   */
  private async verified(state: LoopState, step: number, summary: string): Promise<boolean> {
    const { run } = state;
    const verdict: Verdict = await this.deps.verifier!.verify({
      runId: run.id,
      task: run.task,
      machine: state.machine,
      criteria: criteriaOf(run),
      signal: state.signal,
    });
    await this.note(state, [{ type: 'tool_result', data: { step, tool: 'verifier', verdict } }]);
    if (verdict.passed) {
      await this.finish(run, 'succeeded', {
        result: { success: true, summary, steps: step, verdict },
      });
      return true;
    }
    if (claimsOfDone(state.history) <= MAX_VERIFIER_FEEDBACK) {
      // LIMITATION: the feedback lives in memory; after a restart before the next step the agent
      // does not see it (it claims done again and is verified again). Storing it as the run's
      // resume note would lift it.
      state.humanNote = feedbackNote(verdict);
      return false;
    }
    await this.finish(run, 'failed', {
      result: { success: false, summary, steps: step, verdict },
      error: { code: 'VERIFICATION_FAILED', message: verdict.reason },
    });
    return true;
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
    await this.note(state, thoughtsOf(step, decision));

    const { outcomes, interrupted } = await this.perform(state, step, decision.actions);
    const record: StepRecord = { step, decision: state.values.redact(decision), outcomes };
    if (interrupted) {
      await this.keepInterrupted(state, record);
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

  /**
   * Performs the actions in order until one fails or the run is interrupted; every action
   * gets an outcome, those never performed saying why.
   */
  private async perform(
    state: LoopState,
    step: number,
    actions: ModelAction[],
  ): Promise<{ outcomes: StepOutcome[]; interrupted: boolean }> {
    const outcomes: StepOutcome[] = [];
    let interrupted = false;
    for (const [index, action] of actions.entries()) {
      await this.note(state, [{ type: 'tool_call', data: { step, index, action } }]);
      let outcome: StepOutcome;
      try {
        state.signal.throwIfAborted();
        outcome = await this.act(state, action);
      } catch (error) {
        if (!interruptOf(state.signal)) {
          throw error;
        }
        interrupted = true;
        break;
      }
      outcomes.push(outcome);
      await this.note(state, [{ type: 'tool_result', data: { step, index, ...outcome } }]);
      if (!outcome.ok) {
        break;
      }
    }
    const why = interrupted
      ? 'Not performed: the run was interrupted before this action.'
      : 'Not performed: an earlier action of the step failed.';
    while (outcomes.length < actions.length) {
      outcomes.push({ ok: false, error: why });
    }
    return { outcomes, interrupted };
  }

  private async act(state: LoopState, action: ModelAction): Promise<StepOutcome> {
    if (action.type !== 'terminal') {
      return state.machine.act(state.values.resolve(action), { signal: state.signal });
    }
    if (!this.deps.terminal) {
      return { ok: false, error: 'This server offers no terminal to agents.' };
    }
    return this.deps.terminal.run(state.run.machine_id, state.run.id, action, state.signal);
  }

  /**
   * Keeps a step whose batch a pause or shutdown cut short, so the model learns on resume
   * which of its calls ran and which did not. A cancelled run never resumes: nothing to keep.
   */
  private async keepInterrupted(state: LoopState, record: StepRecord): Promise<void> {
    const kind = interruptOf(state.signal)?.kind;
    if (kind === 'paused' || kind === 'shutdown') {
      await this.deps.ledger.keepInterrupted(state.run, record);
    }
  }

  /** Writes events of the step, secrets redacted, unless the run stopped running. */
  private async note(state: LoopState, events: NewEvent[]): Promise<void> {
    if (events.length === 0 || state.signal.aborted) {
      return;
    }
    await this.deps.events.write(async (trx, emit) => {
      const row = await trx
        .selectFrom('runs')
        .select('status')
        .where('id', '=', state.run.id)
        .executeTakeFirst();
      if (row?.status !== 'running') {
        return;
      }
      for (const event of events) {
        await emit(state.run.id, state.values.redact(event));
      }
    });
  }

  private async askHuman(run: RunRow, reason: string): Promise<void> {
    if (run.on_awaiting_human === 'pause') {
      await this.deps.transitions.apply(run.id, {
        from: ['running'],
        to: 'awaiting_human',
        set: { awaiting_human_reason: reason, awaiting_human_code: 'AGENT_NEEDS_HUMAN' },
      });
      return;
    }
    const status = run.on_awaiting_human === 'cancel' ? 'cancelled' : 'failed';
    await this.finish(run, status, { error: { code: 'AWAITING_HUMAN', message: reason } });
  }

  private async pauseForCredits(run: RunRow, step: number): Promise<void> {
    await this.deps.transitions.apply(run.id, {
      from: ['running'],
      to: 'awaiting_human',
      set: {
        awaiting_human_code: 'INSUFFICIENT_CREDITS',
        awaiting_human_reason: `The wallet cannot pay for step ${step}; top it up, then resume.`,
      },
    });
  }

  private async finish(
    run: RunRow,
    status: 'succeeded' | 'failed' | 'cancelled' | 'timed_out',
    outcome: { result?: Record<string, unknown>; error?: StepError },
  ): Promise<void> {
    this.deps.releaseModel?.(run.id);
    await this.deps.transitions.apply(run.id, {
      from: ['running'],
      to: status,
      set: {
        result: outcome.result ? writeJson(outcome.result) : null,
        error: outcome.error ? writeJson(outcome.error) : null,
      },
      within: (trx, row) => this.deps.ledger.refundUnfinished(trx, row),
    });
  }

  private async stopOnError(run: RunRow, error: unknown, signal: AbortSignal): Promise<void> {
    const interrupt = interruptOf(signal);
    if (interrupt?.kind === 'cancelled') {
      this.deps.releaseModel?.(run.id);
    }
    if (interrupt?.kind === 'deadline') {
      const message = `The run passed its deadline of ${run.deadline_seconds} s.`;
      return this.finish(run, 'timed_out', { error: { code: 'DEADLINE_EXCEEDED', message } });
    }
    if (interrupt) {
      return;
    }
    if (error instanceof ModelError || error instanceof RunFailure || isAppError(error)) {
      return this.finish(run, 'failed', { error: { code: error.code, message: error.message } });
    }
    this.deps.logger.error({ err: error, run_id: run.id }, 'run stopped on an internal error');
    const message = 'The run stopped on an internal error.';
    await this.finish(run, 'failed', { error: { code: 'INTERNAL_ERROR', message } });
  }
}

function thoughtsOf(step: number, decision: ModelDecision): NewEvent[] {
  const events: NewEvent[] = [];
  if (decision.reasoning) {
    events.push({ type: 'reasoning', data: { step, text: decision.reasoning } });
  }
  if (decision.text) {
    events.push({ type: 'text', data: { step, text: decision.text } });
  }
  return events;
}

function stepSummary(
  state: LoopState,
  observation: Observation,
  decision: ModelDecision,
  outcomes: ActionOutcome[],
  modelMs: number,
): Record<string, unknown> {
  const { screenshot } = observation;
  return {
    model: state.model.name,
    model_ms: modelMs,
    usage: decision.usage
      ? { input_tokens: decision.usage.inputTokens, output_tokens: decision.usage.outputTokens }
      : null,
    actions: decision.actions.length,
    failed_actions: outcomes.filter((outcome) => !outcome.ok).length,
    url: observation.url ?? null,
    settled: observation.settled,
    screenshot: {
      format: screenshot.format,
      width: screenshot.width,
      height: screenshot.height,
      bytes: screenshot.data.length,
    },
    done: decision.done ?? null,
    needs_human: decision.needsHuman ?? null,
  };
}
