/**
 * Every error code the API can answer with. The codes, statuses and types are part of the
 * wire contract (they match the Coasty v1 reference), so they live in this one list.
 */
export type ErrorType =
  | 'auth_error'
  | 'validation_error'
  | 'rate_limit_error'
  | 'billing_error'
  | 'not_found_error'
  | 'state_error'
  | 'server_error'
  | 'client_error';

export interface ErrorDefinition {
  status: number;
  type: ErrorType;
  retryable: boolean;
  suggestion?: string;
}

export const errorCatalogue = {
  INVALID_API_KEY: {
    status: 401,
    type: 'auth_error',
    retryable: false,
    suggestion: 'Send the raw key in X-API-Key or as Authorization: Bearer <key>.',
  },
  INSUFFICIENT_SCOPE: {
    status: 403,
    type: 'auth_error',
    retryable: false,
    suggestion: 'Create a key that has the required scope.',
  },
  INSUFFICIENT_CREDITS: {
    status: 402,
    type: 'billing_error',
    retryable: false,
    suggestion: 'Ask an operator to top up the wallet (POST /v1/wallet/top-ups, admin scope).',
  },
  VALIDATION_ERROR: {
    status: 422,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Inspect error.details for the offending field.',
  },
  INVALID_JSON: {
    status: 400,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Send a JSON object with Content-Type: application/json.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'client_error',
    retryable: false,
    suggestion: 'Send the body as application/json.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Send a smaller body.',
  },
  NOT_FOUND: {
    status: 404,
    type: 'not_found_error',
    retryable: false,
    suggestion: 'Check the id; objects of other organizations are not visible.',
  },
  ROUTE_NOT_FOUND: { status: 404, type: 'not_found_error', retryable: false },
  INVALID_STATE: {
    status: 409,
    type: 'state_error',
    retryable: false,
    suggestion: 'Read the current state of the object before retrying.',
  },
  IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    type: 'state_error',
    retryable: true,
    suggestion: 'Wait, then retry with the same Idempotency-Key and body.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Use a new Idempotency-Key for a different request body.',
  },
  UNSUPPORTED_CUA_VERSION: { status: 422, type: 'validation_error', retryable: false },
  MODEL_NOT_AVAILABLE: {
    status: 422,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Pick one of the models the server lists, or configure a provider.',
  },
  LLM_PROVIDER_UNSUPPORTED: { status: 422, type: 'validation_error', retryable: false },
  LLM_KEY_NOT_CONFIGURED: {
    status: 422,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Send your provider key in X-LLM-Api-Key with X-LLM-Provider.',
  },
  WEBHOOK_URL_REFUSED: {
    status: 422,
    type: 'validation_error',
    retryable: false,
    suggestion: 'Use a public http(s) URL, or let the operator allow private addresses.',
  },
  RATE_LIMITED: { status: 429, type: 'rate_limit_error', retryable: true },
  INTERNAL_ERROR: { status: 500, type: 'server_error', retryable: true },
  SERVICE_UNAVAILABLE: { status: 503, type: 'server_error', retryable: true },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;
