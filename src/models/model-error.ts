/**
 * A model call that failed. `code` is a stable `LLM_*` code that ends up in the run's
 * error; `retryable` tells whether the same call may succeed later.
 */
export class ModelError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'ModelError';
  }
}
