import { isAbortError, sleep } from '../../core/index.js';
import { ModelError } from '../model-error.js';

export interface ProviderCallOptions {
  /** The provider's name, for messages: `anthropic`, `openai`, `compatible`. */
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The run's cancellation and deadline. */
  signal: AbortSignal;
  /** The run's deadline (epoch ms): no attempt or wait is planned past it. */
  deadlineAtMs?: number;
  /** The longest one attempt may take; the run's deadline bounds it further. */
  timeoutMs: number;
  /** Attempts on 429, 529 and 5xx, the first included. */
  maxAttempts: number;
  /** The first retry's delay when the provider names none; each retry doubles it. */
  backoffMs: number;
  fetch: typeof fetch;
  /** Texts that must never appear in an error message (the API key). */
  secrets: string[];
}

/** The JSON a provider answered, with the attempts it took. */
export interface ProviderReply {
  json: unknown;
  attempts: number;
}

const retryableStatuses = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
const longestRetryAfterMs = 60_000;

/**
 * POSTs JSON to a model provider and reads its JSON answer, retrying overloads and server
 * errors with backoff (honouring `retry-after`), and turning every failure into a `ModelError`
 * with a stable `LLM_*` code.
 */
export async function callProvider(options: ProviderCallOptions): Promise<ProviderReply> {
  const body = JSON.stringify(options.body);
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await attemptOnce(options, body);
    if (outcome.kind === 'ok') {
      return { json: outcome.json, attempts: attempt };
    }
    if (!outcome.error.retryable || attempt >= options.maxAttempts) {
      throw outcome.error;
    }
    const delayMs = Math.min(
      outcome.retryAfterMs ?? options.backoffMs * 2 ** (attempt - 1),
      longestRetryAfterMs,
    );
    // A wait that would outlast the run gives the provider's answer now, not a timed-out run.
    if (options.deadlineAtMs !== undefined && Date.now() + delayMs >= options.deadlineAtMs) {
      throw outcome.error;
    }
    await sleep(delayMs, options.signal);
  }
}

type Attempt =
  { kind: 'ok'; json: unknown } | { kind: 'failed'; error: ModelError; retryAfterMs?: number };

async function attemptOnce(options: ProviderCallOptions, body: string): Promise<Attempt> {
  const untilDeadlineMs =
    options.deadlineAtMs === undefined ? Infinity : options.deadlineAtMs - Date.now();
  const timeoutMs = Math.max(1, Math.min(options.timeoutMs, untilDeadlineMs));
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body,
      signal,
    });
    text = await response.text();
  } catch (error) {
    options.signal.throwIfAborted();
    return { kind: 'failed', error: transportError(options.provider, error) };
  }
  if (!response.ok) {
    return {
      kind: 'failed',
      error: statusError(options, response.status, text),
      retryAfterMs: retryAfterMs(response.headers),
    };
  }
  try {
    return { kind: 'ok', json: JSON.parse(text) };
  } catch {
    const message = `${options.provider} answered with a body that is not JSON.`;
    return { kind: 'failed', error: new ModelError('LLM_INVALID_RESPONSE', message, false) };
  }
}

function transportError(provider: string, error: unknown): ModelError {
  if (isAbortError(error)) {
    return new ModelError('LLM_TIMEOUT', `${provider} did not answer in time.`, true);
  }
  return new ModelError('LLM_UNREACHABLE', `${provider} could not be reached.`, true, {
    cause: error,
  });
}

function statusError(options: ProviderCallOptions, status: number, text: string): ModelError {
  const detail = redact(providerMessage(text), options.secrets);
  const message = `${options.provider} answered ${status}: ${detail}`;
  if (status === 401 || status === 403) {
    return new ModelError('LLM_AUTH_FAILED', message, false);
  }
  if (status === 429) {
    return new ModelError('LLM_PROVIDER_RATE_LIMITED', message, true);
  }
  if (status === 529) {
    return new ModelError('LLM_PROVIDER_OVERLOADED', message, true);
  }
  if (retryableStatuses.has(status) || status >= 500) {
    return new ModelError('LLM_PROVIDER_ERROR', message, true);
  }
  return new ModelError('LLM_REQUEST_REJECTED', message, false);
}

/** The provider's own error message when its body has one, else the start of the body. */
function providerMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } | string };
    const inner = typeof json.error === 'string' ? json.error : json.error?.message;
    if (typeof inner === 'string') {
      return inner.slice(0, 300);
    }
  } catch {
    // Not JSON: the raw text is all there is.
  }
  return text.slice(0, 300);
}

function redact(text: string, secrets: string[]): string {
  return secrets
    .filter((secret) => secret.length >= 8)
    .reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
  const milliseconds = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) {
    return milliseconds;
  }
  const header = headers.get('retry-after');
  if (header === null) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds * 1000;
  }
  const dateMs = Date.parse(header);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - Date.now());
}
