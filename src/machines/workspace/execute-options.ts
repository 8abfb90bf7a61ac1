import { AppError } from '../../errors/index.js';

export interface ExecuteOptions {
  /** Interrupt the command after this long; default 30,000 ms, at most 600,000 ms. */
  timeoutMs?: number;
  /** Interrupts the command when aborted; execute then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What one command did; snake_case because it goes to the API as is. */
export interface ExecuteResult {
  /** stdout and stderr merged in order, decoded as UTF-8. */
  output: string;
  /** null when the shell died or was killed before the command finished. */
  exit_code: number | null;
  timed_out: boolean;
  /** True when the output went past the size bound and was cut. */
  truncated: boolean;
}

export interface TerminalOutput {
  output: string;
  truncated: boolean;
}

export const DEFAULT_EXECUTE_TIMEOUT_MS = 30_000;
const MAX_EXECUTE_TIMEOUT_MS = 600_000;

/** The timeout an execute runs with: the default when none is given, else a checked one. */
export function checkTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) {
    return DEFAULT_EXECUTE_TIMEOUT_MS;
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_EXECUTE_TIMEOUT_MS) {
    throw new AppError(
      'VALIDATION_ERROR',
      `timeoutMs must be an integer from 1 to ${MAX_EXECUTE_TIMEOUT_MS}.`,
      { details: { field: 'timeoutMs' } },
    );
  }
  return timeoutMs;
}
