import { isAppError } from '../../errors/index.js';
import { ModelError } from '../../models/index.js';
import { writeJson } from '../../store/index.js';
import type { RunRow } from '../run-row.js';
import { RunFailure, interruptOf } from './interrupt.js';
import type { RunLoopDeps } from './loop-state.js';

interface StepError {
  code: string;
  message: string;
}

export type FinalStatus = 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

export async function finishRun(
  deps: RunLoopDeps,
  run: RunRow,
  status: FinalStatus,
  outcome: { result?: Record<string, unknown>; error?: StepError },
): Promise<void> {
  deps.releaseModel?.(run.id);
  await deps.transitions.apply(run.id, {
    from: ['running'],
    to: status,
    set: {
      result: outcome.result ? writeJson(outcome.result) : null,
      error: outcome.error ? writeJson(outcome.error) : null,
    },
    within: (trx, row) => deps.ledger.refundUnfinished(trx, row),
  });
}

export async function askHuman(deps: RunLoopDeps, run: RunRow, reason: string): Promise<void> {
  if (run.on_awaiting_human === 'pause') {
    await deps.transitions.apply(run.id, {
      from: ['running'],
      to: 'awaiting_human',
      set: { awaiting_human_reason: reason, awaiting_human_code: 'AGENT_NEEDS_HUMAN' },
    });
    return;
  }
  const status = run.on_awaiting_human === 'cancel' ? 'cancelled' : 'failed';
  await finishRun(deps, run, status, { error: { code: 'AWAITING_HUMAN', message: reason } });
}

export async function pauseForCredits(deps: RunLoopDeps, run: RunRow, step: number): Promise<void> {
  await deps.transitions.apply(run.id, {
    from: ['running'],
    to: 'awaiting_human',
    set: {
      awaiting_human_code: 'INSUFFICIENT_CREDITS',
      awaiting_human_reason: `The wallet cannot pay for step ${step}; top it up, then resume.`,
    },
  });
}

export async function stopOnError(
  deps: RunLoopDeps,
  run: RunRow,
  error: unknown,
  signal: AbortSignal,
): Promise<void> {
  const interrupt = interruptOf(signal);
  if (interrupt?.kind === 'cancelled') {
    deps.releaseModel?.(run.id);
  }
  if (interrupt?.kind === 'deadline') {
    const message = `The run passed its deadline of ${run.deadline_seconds} s.`;
    return finishRun(deps, run, 'timed_out', { error: { code: 'DEADLINE_EXCEEDED', message } });
  }
  if (interrupt) {
    return;
  }
  if (error instanceof ModelError || error instanceof RunFailure || isAppError(error)) {
    const failure = { code: error.code, message: error.message };
    return finishRun(deps, run, 'failed', { error: failure });
  }
  deps.logger.error({ err: error, run_id: run.id }, 'run stopped on an internal error');
  const message = 'The run stopped on an internal error.';
  await finishRun(deps, run, 'failed', { error: { code: 'INTERNAL_ERROR', message } });
}
