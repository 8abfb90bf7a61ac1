import type { SendOutcome } from './send-delivery.js';

/** No wait between attempts is longer than this, whatever the backoff or Retry-After says. */
export const maxRetryDelayMs = 60 * 60 * 1000;

/** Statuses that say "not now" rather than "never"; everything else outside 2xx is final. */
const retryableStatuses = new Set([408, 425, 429]);

/** Statuses whose Retry-After header is honoured. */
const retryAfterStatuses = new Set([429, 503]);

export interface RetryPolicy {
  /** Attempts in all, the first included; the last failure marks the delivery failed. */
  maxAttempts: number;
  /** The delay before the first retry; each later retry doubles it, ±20 % jitter. */
  backoffMs: number;
  /** A number in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

export type Decision =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'failed'; error: string };

/**
 * What follows attempt number `attempt` (1 for the first). A redirect is final: following it
 * would send the signed payload to an address the guard never saw, and the receiver's URL
 * will not stop redirecting on its own.
 */
export function decide(
  outcome: SendOutcome,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
): Decision {
  if (outcome.kind === 'refused') {
    return { kind: 'failed', error: outcome.error };
  }
  if (outcome.kind === 'network') {
    return retryOrFail(outcome.error, attempt, policy, undefined);
  }

  const { statusCode } = outcome;
  if (statusCode >= 200 && statusCode < 300) {
    return { kind: 'delivered' };
  }
  if (statusCode >= 300 && statusCode < 400) {
    return { kind: 'failed', error: `HTTP ${statusCode}: redirects are not followed` };
  }
  if (statusCode >= 500 || retryableStatuses.has(statusCode)) {
    const retryAfterMs = retryAfterStatuses.has(statusCode)
      ? parseRetryAfterMs(outcome.retryAfter, now)
      : undefined;
    return retryOrFail(`HTTP ${statusCode}`, attempt, policy, retryAfterMs);
  }
  return { kind: 'failed', error: `HTTP ${statusCode}` };
}

/** The exponential delay before the retry that follows attempt number `attempt`. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  const random = policy.random ?? Math.random;
  const exponential = policy.backoffMs * 2 ** Math.max(0, attempt - 1);
  const jitter = 0.8 + 0.4 * random();
  return Math.min(Math.round(exponential * jitter), maxRetryDelayMs);
}

/**
 * Milliseconds to wait from a `Retry-After` value, either delay-seconds or an HTTP date;
 * undefined when absent or unreadable, so the backoff applies instead.
 */
export function parseRetryAfterMs(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }

  if (/^\d+$/.test(text)) {
    return Math.min(Number(text) * 1000, maxRetryDelayMs);
  }
  // Every HTTP date format starts with the weekday; without this check Date.parse would
  // read a value like "-5" as some day in 2001.
  const date = /^[A-Za-z]{3,9},? /.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.min(Math.max(0, date - now.getTime()), maxRetryDelayMs);
}

function retryOrFail(
  error: string,
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
): Decision {
  if (attempt >= policy.maxAttempts) {
    return { kind: 'failed', error: `${error} (gave up after ${attempt} attempts)` };
  }
  return { kind: 'retry', delayMs: retryAfterMs ?? backoffDelayMs(attempt, policy), error };
}
