import type { ModelAction, StepOutcome, StepRecord } from '../../models/index.js';
import { interruptOf } from './interrupt.js';
import type { LoopState, RunLoopDeps } from './loop-state.js';
import { noteEvents } from './step-events.js';

/**
 * Performs the actions in order until one fails or the run is interrupted; every action
 * gets an outcome, those never performed saying why.
 */
export async function performActions(
  deps: RunLoopDeps,
  state: LoopState,
  step: number,
  actions: ModelAction[],
): Promise<{ outcomes: StepOutcome[]; interrupted: boolean; started: number }> {
  const outcomes: StepOutcome[] = [];
  let interrupted = false;
  let started = 0;
  for (const [index, action] of actions.entries()) {
    await noteEvents(deps, state, [{ type: 'tool_call', data: { step, index, action } }]);
    let outcome: StepOutcome;
    try {
      state.signal.throwIfAborted();
      started += 1;
      outcome = await act(deps, state, action);
    } catch (error) {
      if (!interruptOf(state.signal)) {
        throw error;
      }
      interrupted = true;
      break;
    }
    outcomes.push(outcome);
    await noteEvents(deps, state, [{ type: 'tool_result', data: { step, index, ...outcome } }]);
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
  return { outcomes, interrupted, started };
}

async function act(deps: RunLoopDeps, state: LoopState, action: ModelAction): Promise<StepOutcome> {
  if (action.type !== 'terminal') {
    return state.machine.act(state.values.resolve(action), { signal: state.signal });
  }
  if (!deps.terminal) {
    return { ok: false, error: 'This server offers no terminal to agents.' };
  }
  return deps.terminal.run(state.run.machine_id, state.run.id, action, state.signal);
}

/**
 * Keeps a step whose batch a pause or shutdown cut short after it began to act, so the model
 * learns on resume which of its calls ran and which did not; the step acted, so it is a step
 * done and paid like any other. One cut short before its first action did nothing: it is
 * dropped, its charge stays refunded and the model decides afresh. A cancelled run never
 * resumes: nothing to keep.
 */
export async function keepInterrupted(
  deps: RunLoopDeps,
  state: LoopState,
  record: StepRecord,
  started: number,
): Promise<void> {
  const kind = interruptOf(state.signal)?.kind;
  if ((kind === 'paused' || kind === 'shutdown') && started > 0) {
    await deps.ledger.keepInterrupted(state.run, record);
  }
}
