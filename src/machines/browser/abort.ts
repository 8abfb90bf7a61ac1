/**
 * Small promise helpers that let a browser call be abandoned when the run's signal fires or a
 * bound runs out. Playwright calls cannot be cancelled from outside, so the work keeps going
 * in the background; these helpers only stop the caller from waiting for it.
 */

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // The abandoned work may still fail later; swallow that so it is not an unhandled rejection.
  work.catch(() => undefined);

  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }

  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Settles like `work`, or resolves to `fallback` once `timeoutMs` has passed. */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  work.catch(() => undefined);

  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), Math.max(0, timeoutMs));

    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }

  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
