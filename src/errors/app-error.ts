import { errorCatalogue } from './catalogue.js';
import type { ErrorCode, ErrorType } from './catalogue.js';

export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  /** Seconds a client should wait before retrying; also sent as Retry-After. */
  retryAfterSeconds?: number;
  suggestion?: string;
}

/** An error whose code, status and message are safe to show to the API's client. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorType;
  readonly retryable: boolean;
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;
  readonly suggestion?: string;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    const definition = errorCatalogue[code];
    this.name = 'AppError';
    this.code = code;
    this.status = definition.status;
    this.type = definition.type;
    this.retryable = definition.retryable;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.suggestion =
      options.suggestion ?? ('suggestion' in definition ? definition.suggestion : undefined);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export function notFound(what: string, id: string): AppError {
  return new AppError('NOT_FOUND', `No ${what} with id '${id}'.`);
}

export function invalidState(message: string, details?: unknown): AppError {
  return new AppError('INVALID_STATE', message, { details });
}

export function validationError(message: string, details?: unknown): AppError {
  return new AppError('VALIDATION_ERROR', message, { details });
}
