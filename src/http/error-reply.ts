import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import type { ErrorEnvelope } from '../contracts/index.js';
import { AppError, isAppError } from '../errors/index.js';

/** Turns any error into the API's envelope; unknown errors become a generic 500. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) {
    return error;
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The body must be application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than allowed.');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('VALIDATION_ERROR', 'The URL is malformed or a path parameter too long.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('INVALID_JSON', 'The request body is empty or not valid JSON.');
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new AppError('INVALID_JSON', 'The request body is not valid JSON.');
  }
  return new AppError('INTERNAL_ERROR', 'The server failed to handle the request.', {
    cause: error,
  });
}

export function errorEnvelope(
  error: AppError,
  requestId: string,
  carriedIdempotencyKey: boolean,
): ErrorEnvelope {
  return {
    error: {
      code: error.code,
      message: error.message,
      type: error.type,
      request_id: requestId,
      retryable: error.retryable,
      retry_with_same_idempotency_key: error.retryable && carriedIdempotencyKey,
      ...(error.suggestion ? { suggestion: error.suggestion } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retry_after: error.retryAfterSeconds } : {}),
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const appError = toAppError(error);
  if (appError.status >= 500) {
    request.log.error({ err: appError.cause ?? appError }, 'request failed');
  }
  if (appError.retryAfterSeconds !== undefined) {
    reply.header('Retry-After', String(appError.retryAfterSeconds));
  }
  const carriedKey = typeof request.headers['idempotency-key'] === 'string';
  void reply.status(appError.status).send(errorEnvelope(appError, request.id, carriedKey));
}
