import type { Clock, IdGenerator } from '../../core/index.js';
import type { EventBus, EventLog } from '../../events/index.js';
import type { Logger } from '../../log/index.js';
import type { RunService } from '../../runs/index.js';
import type { Store } from '../../store/index.js';
import { readJson, writeJson } from '../../store/index.js';
import type { Definition } from '../definition/index.js';
import { evaluate } from '../definition/index.js';
import type { WorkflowRunRow } from '../workflow-row.js';
import type { WorkflowTransitions } from '../workflow-transitions.js';
import { ChildRuns } from './child-runs.js';
import { Interpreter } from './interpreter.js';
import type { Frame } from './interpreter.js';
import { StepFailure, Suspended, WorkflowAbort, WorkflowInterrupt } from './outcomes.js';
import { StepStore } from './step-store.js';

export interface WorkflowDriverDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  events: EventLog;
  bus: EventBus;
  runs: RunService;
  transitions: WorkflowTransitions;
  stepPriceCredits: number;
}

/** Drives one claimed workflow run from where its stored state says it is to its end. */
export class WorkflowDriver {
  constructor(private readonly deps: WorkflowDriverDeps) {}

  /** The tools of one run: its step store and its child runs. */
  parts(row: WorkflowRunRow): { steps: StepStore; children: ChildRuns } {
    const steps = new StepStore(this.deps.store, this.deps.events, this.deps.clock, row.id);
    return { steps, children: new ChildRuns(this.deps, row, steps) };
  }

  async drive(row: WorkflowRunRow, signal: AbortSignal): Promise<void> {
    const { steps, children } = this.parts(row);
    const definition = readJson<Definition>(row.definition, { steps: [] });
    const frame: Frame = {
      prefix: '',
      scope: { inputs: readJson(row.inputs, {}), steps: {} },
      machineId: row.machine_id,
    };
    const interpreter = new Interpreter({
      clock: this.deps.clock,
      steps,
      children,
      workflowRun: row,
      signal,
    });
    try {
      await interpreter.runSteps(definition.steps, frame);
      const output = await outputOf(definition, frame);
      await this.end(row, children, 'succeeded', { output: writeJson(output) });
    } catch (error) {
      await this.stopped(row, children, error);
    }
  }

  private async stopped(row: WorkflowRunRow, children: ChildRuns, error: unknown) {
    if (error instanceof Suspended) {
      await this.deps.transitions.apply(row.id, {
        from: ['running'],
        to: 'awaiting_human',
        set: { awaiting_step_id: error.key, awaiting_human_reason: error.reason },
      });
      return;
    }
    if (error instanceof WorkflowInterrupt) {
      await this.interrupted(row, children, error);
      return;
    }
    await children.cancelAll();
    if (error instanceof StepFailure) {
      await this.end(row, children, 'failed', { error: writeJson(error.error) });
      return;
    }
    if (error instanceof WorkflowAbort) {
      const detail = { code: error.code, message: error.message, step_id: error.stepId };
      await this.end(row, children, 'failed', { error: writeJson(detail) });
      return;
    }
    this.deps.logger.error({ err: error, workflow_run_id: row.id }, 'workflow run failed');
    const internal = { code: 'INTERNAL_ERROR', message: 'The workflow run failed unexpectedly.' };
    await this.end(row, children, 'failed', { error: writeJson(internal) });
  }

  private async interrupted(row: WorkflowRunRow, children: ChildRuns, error: WorkflowInterrupt) {
    if (error.kind === 'shutdown') {
      return;
    }
    // A cancel has changed the status already; the deadline ends the run here.
    await children.cancelAll();
    if (error.kind === 'deadline') {
      const message = `The workflow run passed its deadline of ${row.deadline_seconds} s.`;
      await this.end(row, children, 'timed_out', {
        error: writeJson({ code: 'DEADLINE_EXCEEDED', message }),
      });
    }
  }

  private async end(
    row: WorkflowRunRow,
    children: ChildRuns,
    to: 'succeeded' | 'failed' | 'timed_out',
    set: { output?: string; error?: string },
  ): Promise<void> {
    await this.deps.events.write((trx) => children.recordSpending(trx));
    const ended = await this.deps.transitions.apply(row.id, { from: ['running'], to, set });
    if (ended) {
      this.deps.logger.info({ workflow_run_id: row.id, status: to }, 'workflow run ended');
    }
  }
}

/** The run's output: the definition's `output` expressions, or every step's result. */
async function outputOf(definition: Definition, frame: Frame): Promise<Record<string, unknown>> {
  if (!definition.output) {
    return { steps: frame.scope.steps };
  }
  const output: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(definition.output)) {
    output[name] = await evaluate(source, frame.scope).catch((error: Error) => ({
      error: error.message,
    }));
  }
  return output;
}
