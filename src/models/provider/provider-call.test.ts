import { afterEach, describe, expect, it } from 'vitest';

import { ModelError } from '../model-error.js';
import { callProvider, retryAfterMs } from './provider-call.js';
import type { ProviderCallOptions } from './provider-call.js';
import { FakeProvider } from './test-kit.js';

let provider: FakeProvider | undefined;
afterEach(() => provider?.stop());

const key = 'sk-secret-key-0123456789';

function options(url: string, overrides: Partial<ProviderCallOptions> = {}): ProviderCallOptions {
  return {
    provider: 'anthropic',
    url,
    headers: { 'x-api-key': key },
    body: { hello: 'world' },
    signal: new AbortController().signal,
    timeoutMs: 2_000,
    maxAttempts: 3,
    backoffMs: 1,
    fetch: globalThis.fetch,
    secrets: [key],
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe('calls to a provider', () => {
  it('retries 529, 429 and 5xx and answers with the first success', async () => {
    const statuses = [529, 429, 200];
    provider = await new FakeProvider(() => {
      const status = statuses.shift() ?? 200;
      return { status, body: status === 200 ? { ok: true } : { error: { message: 'busy' } } };
    }).start();
    const reply = await callProvider(options(provider.url));
    expect(reply).toEqual({ json: { ok: true }, attempts: 3 });
    expect(provider.bodies).toEqual([{ hello: 'world' }, { hello: 'world' }, { hello: 'world' }]);
  });

  it('gives up after the last attempt with a stable code', async () => {
    provider = await new FakeProvider(() => ({ status: 529, body: {} })).start();
    const error = await failure(callProvider(options(provider.url, { maxAttempts: 2 })));
    expect(error).toMatchObject({ code: 'LLM_PROVIDER_OVERLOADED', retryable: true });
    expect(provider.bodies).toHaveLength(2);
  });

  it('does not retry a refused request, and never repeats the key it was sent', async () => {
    provider = await new FakeProvider(() => ({
      status: 400,
      body: { error: { message: `bad request for key ${key}` } },
    })).start();
    const error = await failure(callProvider(options(provider.url)));
    expect(error.code).toBe('LLM_REQUEST_REJECTED');
    expect(error.message).toContain('bad request for key [redacted]');
    expect(error.message).not.toContain(key);
    expect(provider.bodies).toHaveLength(1);
  });

  it('names an unanswered call a timeout, and an unreachable host as such', async () => {
    provider = await new FakeProvider(() => ({ body: {} })).start();
    const slow: typeof fetch = (input, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const timedOut = await failure(
      callProvider(options(provider.url, { fetch: slow, timeoutMs: 50, maxAttempts: 1 })),
    );
    expect(timedOut.code).toBe('LLM_TIMEOUT');
    const unreachable = await failure(
      callProvider(options('http://127.0.0.1:9/v1/messages', { maxAttempts: 1 })),
    );
    expect(unreachable.code).toBe('LLM_UNREACHABLE');
  });

  it('waits and tries no longer than the run has left before its deadline', async () => {
    provider = await new FakeProvider(() => ({
      status: 429,
      headers: { 'retry-after': '30' },
      body: { error: { message: 'slow down' } },
    })).start();
    const deadlineAtMs = Date.now() + 5_000;
    const limited = await failure(callProvider(options(provider.url, { deadlineAtMs })));
    expect(limited.code).toBe('LLM_PROVIDER_RATE_LIMITED');
    expect(provider.bodies).toHaveLength(1);

    const slow: typeof fetch = (input, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const cut = callProvider(
      options(provider.url, { fetch: slow, timeoutMs: 600_000, deadlineAtMs: Date.now() + 50 }),
    );
    expect((await failure(cut)).code).toBe('LLM_TIMEOUT');
  });

  it('reads retry-after in seconds, as a date, and retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150' }))).toBe(150);
    const later = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(new Headers({ 'retry-after': later }))).toBeGreaterThan(50_000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
