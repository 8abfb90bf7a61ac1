import { createHash } from 'node:crypto';

import type { Observation } from '../../machines/index.js';
import type { ModelDecision, StepRecord } from '../model.js';

/**
 * Where the local agent is in its plan. It keeps no memory between calls: each decision's
 * reasoning starts with "Plan step N of M" and ends with a fingerprint of the screen it acted
 * on, so the plan's position survives a restart and a pause, read back from the history.
 */
export interface Progress {
  /** The plan step to work on, from 0. */
  index: number;
  /** Earlier tries of this step that did not get the screen it expected. */
  attempt: number;
  /** The agent asked a human about this step and the note is the answer. */
  answered: boolean;
  /** Verifier feedback or a human's note after the agent said it was done. */
  afterDone: boolean;
}

interface Marked {
  index: number;
  attempt: number;
  screen: string | null;
  decision: ModelDecision;
  failed: boolean;
  /** The actions only looked for the step's target (waited, scrolled); the step is not done. */
  looking: boolean;
}

const markPattern = /^Plan step (\d+) of \d+(?: \(try (\d+)\))?(, still looking)?/;
const screenPattern = /\[screen ([0-9a-f]{12})\]$/;

export function reasoningFor(
  index: number,
  total: number,
  attempt: number,
  what: string,
  observation: Observation,
  looking = false,
): string {
  const tried = attempt > 0 ? ` (try ${attempt + 1})` : '';
  const still = looking ? ', still looking' : '';
  const screen = fingerprint(observation);
  return `Plan step ${index + 1} of ${total}${tried}${still}: ${what} [screen ${screen}]`;
}

/** A short hash of what the screen shows: a step that changed nothing leaves it equal. */
export function fingerprint(observation: Observation): string {
  return createHash('sha256')
    .update(observation.url ?? '')
    .update(observation.screenshot.data)
    .digest('hex')
    .slice(0, 12);
}

/** The last marked decision of the history, if the local agent made any. */
function lastMarked(history: StepRecord[]): Marked | undefined {
  for (let position = history.length - 1; position >= 0; position -= 1) {
    const record = history[position]!;
    const match = markPattern.exec(record.decision.reasoning ?? '');
    if (match) {
      return {
        index: Number(match[1]) - 1,
        attempt: match[2] ? Number(match[2]) - 1 : 0,
        screen: screenPattern.exec(record.decision.reasoning ?? '')?.[1] ?? null,
        decision: record.decision,
        failed: record.outcomes.some((outcome) => !outcome.ok),
        looking: match[3] !== undefined,
      };
    }
  }
  return undefined;
}

/**
 * Reads the position from the history. A step whose action ran is held done when the screen
 * changed as it should (`expectationHeld`); otherwise it is tried again.
 */
export async function progressOf(
  history: StepRecord[],
  expectationHeld: (index: number, screenBefore: string | null) => Promise<boolean>,
): Promise<Progress> {
  const last = lastMarked(history);
  if (!last) {
    return { index: 0, attempt: 0, answered: false, afterDone: false };
  }
  if (last.decision.done) {
    return { index: last.index, attempt: 0, answered: false, afterDone: true };
  }
  if (last.decision.needsHuman) {
    return { index: last.index, attempt: 0, answered: true, afterDone: false };
  }
  if (
    last.decision.actions.length === 0 ||
    (!last.failed && !last.looking && (await expectationHeld(last.index, last.screen)))
  ) {
    return { index: last.index + 1, attempt: 0, answered: false, afterDone: false };
  }
  return { index: last.index, attempt: last.attempt + 1, answered: false, afterDone: false };
}
