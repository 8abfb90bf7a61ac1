import { describe, expect, it } from 'vitest';

import { abortableDelay, raceAbort, withTimeout } from './abort.js';

const never = (): Promise<never> => new Promise(() => undefined);

describe('raceAbort', () => {
  it('settles like the work while the signal stays quiet', async () => {
    await expect(raceAbort(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
  });

  it('rejects with the reason of a signal that aborts while the work runs', async () => {
    const controller = new AbortController();
    const racing = raceAbort(never(), controller.signal);

    controller.abort(new Error('run cancelled'));

    await expect(racing).rejects.toThrow('run cancelled');
  });

  it('rejects at once for a signal that aborted before', async () => {
    await expect(raceAbort(Promise.resolve(1), AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('withTimeout', () => {
  it('falls back once the time is up', async () => {
    await expect(withTimeout(never(), 10, 'late')).resolves.toBe('late');
  });

  it('passes the work through when it is in time', async () => {
    await expect(withTimeout(Promise.resolve('early'), 1_000, 'late')).resolves.toBe('early');
  });
});

describe('abortableDelay', () => {
  it('resolves after the delay', async () => {
    const startedAt = Date.now();

    await abortableDelay(20, new AbortController().signal);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(15);
  });

  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = abortableDelay(60_000, controller.signal);

    controller.abort();

    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});
