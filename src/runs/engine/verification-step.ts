import type { Verdict } from '../verifier/index.js';
import type { LoopState, RunLoopDeps } from './loop-state.js';
import { finishRun } from './run-endings.js';
import { noteEvents } from './step-events.js';
import { MAX_VERIFIER_FEEDBACK, claimsOfDone, criteriaOf, feedbackNote } from './verification.js';

/**
 * Verifies a claim of success: the run ends with the verdict when it passed or feedback is
 * used up (true); otherwise the verdict's reason reaches the agent as its next note (false).
 */
export async function verifyClaim(
  deps: RunLoopDeps,
  state: LoopState,
  step: number,
  summary: string,
): Promise<boolean> {
  const { run } = state;
  const verdict: Verdict = await deps.verifier!.verify({
    runId: run.id,
    task: run.task,
    machine: state.machine,
    criteria: criteriaOf(run),
    signal: state.signal,
  });
  await noteEvents(deps, state, [
    { type: 'tool_result', data: { step, tool: 'verifier', verdict } },
  ]);
  if (verdict.passed) {
    await finishRun(deps, run, 'succeeded', {
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
  await finishRun(deps, run, 'failed', {
    result: { success: false, summary, steps: step, verdict },
    error: { code: 'VERIFICATION_FAILED', message: verdict.reason },
  });
  return true;
}
