import { describe, expect, it } from 'vitest';

import { backoffDelayMs, decide, maxRetryDelayMs, parseRetryAfterMs } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';

const now = new Date('2026-07-18T12:00:00.000Z');
const policy: RetryPolicy = { maxAttempts: 5, backoffMs: 1000, random: () => 0.5 };

describe('decide', () => {
  it('marks any 2xx delivered', () => {
    expect(decide({ kind: 'response', statusCode: 204 }, 1, policy, now)).toEqual({
      kind: 'delivered',
    });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('retries HTTP %i', (statusCode) => {
    expect(decide({ kind: 'response', statusCode }, 1, policy, now)).toMatchObject({
      kind: 'retry',
      error: `HTTP ${statusCode}`,
    });
  });

  it.each([400, 401, 403, 404, 410, 422])('fails at once on HTTP %i', (statusCode) => {
    expect(decide({ kind: 'response', statusCode }, 1, policy, now)).toEqual({
      kind: 'failed',
      error: `HTTP ${statusCode}`,
    });
  });

  it('fails at once on a redirect, which is not followed', () => {
    expect(decide({ kind: 'response', statusCode: 302 }, 1, policy, now)).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/redirects are not followed/),
    });
  });

  it('retries a network error and fails on a refused address', () => {
    expect(decide({ kind: 'network', error: 'ECONNRESET' }, 1, policy, now).kind).toBe('retry');
    expect(decide({ kind: 'refused', error: 'private' }, 1, policy, now).kind).toBe('failed');
  });

  it('gives up after the last attempt', () => {
    expect(decide({ kind: 'response', statusCode: 500 }, 5, policy, now)).toEqual({
      kind: 'failed',
      error: 'HTTP 500 (gave up after 5 attempts)',
    });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    const limited = { kind: 'response', statusCode: 429, retryAfter: '7' } as const;
    const unavailable = { kind: 'response', statusCode: 503, retryAfter: '9' } as const;
    const broken = { kind: 'response', statusCode: 500, retryAfter: '9' } as const;

    expect(decide(limited, 1, policy, now)).toMatchObject({ delayMs: 7000 });
    expect(decide(unavailable, 1, policy, now)).toMatchObject({ delayMs: 9000 });
    expect(decide(broken, 1, policy, now)).toMatchObject({ delayMs: 1000 });
  });
});

describe('backoffDelayMs', () => {
  it('doubles from backoffMs with each attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, policy))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('jitters by at most 20 % either way', () => {
    expect(backoffDelayMs(2, { ...policy, random: () => 0 })).toBe(1600);
    expect(backoffDelayMs(2, { ...policy, random: () => 0.999_999 })).toBe(2400);
  });

  it('never waits more than an hour', () => {
    expect(backoffDelayMs(40, policy)).toBe(maxRetryDelayMs);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, capped at an hour', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Sat, 18 Jul 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Sat, 18 Jul 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('999999', now)).toBe(maxRetryDelayMs);
  });

  it('gives nothing for a missing or unreadable value', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-5', now)).toBeUndefined();
    expect(parseRetryAfterMs('1.5', now)).toBeUndefined();
  });
});
