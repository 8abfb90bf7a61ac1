import type { StepRecord } from '../../models/index.js';
import { readJson } from '../../store/index.js';
import type { RunRow } from '../run-row.js';
import type { Criterion, Verdict } from '../verifier/index.js';

/** Failed verdicts the agent gets as feedback before the run fails with the last one. */
export const MAX_VERIFIER_FEEDBACK = 2;

/**
 * Whether the run's engine version checks the agent's claim of success.
 */
// LIMITATION: v5 runs as v4: old steps are not compacted by a model. A compaction step that
// summarises history beyond the provider's limits, stored with the run, would lift it.
export function verifies(run: RunRow): boolean {
  return run.cua_version === 'v4' || run.cua_version === 'v5';
}

export function criteriaOf(run: RunRow): Criterion[] {
  return readJson<Criterion[]>(run.success_criteria, []);
}

/**
 * How many times the agent already said it was done, the current claim included: each claim
 * before the last one was answered by a failed verdict. Read from the recorded steps, so the
 * count survives a restart.
 */
export function claimsOfDone(history: StepRecord[]): number {
  return history.filter((record) => record.decision.done?.success === true).length;
}

/** The note the agent reads on its next step after a failed verdict. */
export function feedbackNote(verdict: Verdict): string {
  return `The verifier found the task not done yet: ${verdict.reason} Carry on until it holds.`;
}
