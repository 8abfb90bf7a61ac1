import type { Clock } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { RunTransitions } from '../run-transitions.js';

/** Ends as timed out every run that waited for a human longer than its timeout allows. */
export async function expireHumanWaits(deps: {
  store: Store;
  clock: Clock;
  transitions: RunTransitions;
}): Promise<void> {
  const now = deps.clock.now();
  const waiting = await deps.store.db
    .selectFrom('runs')
    .select(['id', 'awaiting_human_since', 'awaiting_human_timeout_seconds'])
    .where('status', '=', 'awaiting_human')
    .where('awaiting_human_timeout_seconds', 'is not', null)
    .execute();
  for (const run of waiting) {
    const sinceMs = Date.parse(run.awaiting_human_since ?? '');
    const timeoutMs = (run.awaiting_human_timeout_seconds ?? 0) * 1000;
    if (sinceMs + timeoutMs <= now.getTime()) {
      const message = `No human resumed the run within ${run.awaiting_human_timeout_seconds} s.`;
      await deps.transitions.apply(run.id, {
        from: ['awaiting_human'],
        to: 'timed_out',
        set: { error: JSON.stringify({ code: 'AWAITING_HUMAN_TIMEOUT', message }) },
      });
    }
  }
}
