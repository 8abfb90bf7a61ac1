import type { NewEvent } from '../../events/index.js';
import type { ActionOutcome, Observation } from '../../machines/index.js';
import type { ModelDecision } from '../../models/index.js';
import type { LoopState, RunLoopDeps } from './loop-state.js';

/** Writes events of the step, secrets redacted, unless the run stopped running. */
export async function noteEvents(
  deps: RunLoopDeps,
  state: LoopState,
  events: NewEvent[],
): Promise<void> {
  if (events.length === 0 || state.signal.aborted) {
    return;
  }
  await deps.events.write(async (trx, emit) => {
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

export function thoughtsOf(step: number, decision: ModelDecision): NewEvent[] {
  const events: NewEvent[] = [];
  if (decision.reasoning) {
    events.push({ type: 'reasoning', data: { step, text: decision.reasoning } });
  }
  if (decision.text) {
    events.push({ type: 'text', data: { step, text: decision.text } });
  }
  return events;
}

export function stepSummary(
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
