/**
 * Why a run's work was stopped from outside. It is the abort reason of the run's signal, so
 * whatever call was in flight (model, action, wait) rejects with it.
 */
export class RunInterrupt extends Error {
  constructor(readonly kind: 'cancelled' | 'paused' | 'deadline' | 'shutdown') {
    super(`run interrupted: ${kind}`);
    this.name = 'AbortError';
  }
}

export function interruptOf(signal: AbortSignal): RunInterrupt | undefined {
  return signal.aborted && signal.reason instanceof RunInterrupt ? signal.reason : undefined;
}

/** A reason the run cannot go on that is not the model's, such as a machine that is gone. */
export class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'RunFailure';
  }
}
