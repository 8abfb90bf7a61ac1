/** Why the driving of a workflow run stopped from outside: its handling differs for each. */
export type InterruptKind = 'cancelled' | 'shutdown' | 'deadline';

export class WorkflowInterrupt extends Error {
  constructor(readonly kind: InterruptKind) {
    super(`workflow run interrupted: ${kind}`);
    this.name = 'WorkflowInterrupt';
  }
}

/** A step that ended failed; it fails the enclosing steps unless one carries on. */
export class StepFailure extends Error {
  constructor(readonly error: Record<string, unknown>) {
    super(String(error['message'] ?? 'step failed'));
    this.name = 'StepFailure';
  }
}

/**
 * A limit of the whole run was reached (budget, iterations): the run ends at once, past any
 * `retry` or `continue_on_error`, since going on would break the limit.
 */
export class WorkflowAbort extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly stepId: string | null,
  ) {
    super(message);
    this.name = 'WorkflowAbort';
  }
}

/** The run waits for a person on a `human_approval` step; a resume continues it. */
export class Suspended extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super('workflow run waits for a human');
    this.name = 'Suspended';
  }
}

/** Rejects with the signal's reason once it aborts; resolves after `ms` otherwise. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
