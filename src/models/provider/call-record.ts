import type { StepOutcome } from '../model.js';

/**
 * How one tool call of a model's reply became actions: the engine performs the actions, and
 * the next request answers the call from their outcomes.
 */
export interface CallRecord {
  /** The provider's call id. */
  id: string;
  /** How many of the step's actions, in order, this call stands for. */
  actionCount: number;
  /** `screen` and `terminal` calls act; the others are answered without acting. */
  kind: 'screen' | 'terminal' | 'screenshot' | 'zoom' | 'cursor' | 'unsupported';
  /** Text the answer carries: the pointer position, or why a call was not understood. */
  note?: string;
  /** The region a zoom looks at, in screen pixels. */
  region?: { left: number; top: number; width: number; height: number };
}

/** The answer to one call, as text. */
export interface CallAnswer {
  call: CallRecord;
  isError: boolean;
  text: string;
}

/**
 * Answers each call from the outcomes of its actions. A call whose actions did not all run
 * (an earlier action failed, or the run was interrupted) is answered as not executed, so
 * every call keeps its answer.
 */
export function answerCalls(calls: CallRecord[], outcomes: StepOutcome[]): CallAnswer[] {
  let next = 0;
  return calls.map((call) => {
    const own = outcomes.slice(next, next + call.actionCount);
    next += call.actionCount;
    if (call.kind === 'unsupported') {
      return { call, isError: true, text: call.note ?? 'This call is not supported.' };
    }
    if (own.length < call.actionCount) {
      return { call, isError: true, text: 'Not executed: the step ended before this call.' };
    }
    const failed = own.find((outcome) => !outcome.ok);
    if (failed) {
      const performed = own.filter((outcome) => outcome.ok).length;
      const partly = performed > 0 ? `Performed ${performed} of ${own.length} actions; then: ` : '';
      return { call, isError: true, text: partly + (failed.error ?? 'The action failed.') };
    }
    const output = own
      .map((outcome) => outcome.output)
      .filter((text) => text !== undefined)
      .join('\n');
    return { call, isError: false, text: output || call.note || 'Done.' };
  });
}
