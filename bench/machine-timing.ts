import { performance } from 'node:perf_hooks';

import { percentile, round } from './stats.js';
import type { AgentAction } from '../src/contracts/actions.js';
import type { CallOptions, Machine } from '../src/machines/driver.js';

/** Durations of one repeated operation, in milliseconds. */
export interface Spread {
  count: number;
  p50Ms: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

/** How often each series runs: `warmup` untimed calls, then `repetitions` timed ones. */
export interface Repetitions {
  repetitions: number;
  warmup: number;
}

/** Longest a single observe or act may take before the bench gives up on it. */
const CALL_TIMEOUT_MS = 30_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function spread(valuesMs: readonly number[]): Spread {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p90Ms: round(percentile(sorted, 0.9)),
    minMs: round(sorted[0] ?? Number.NaN),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** The options of one driver call, with a bound so a hung tool fails the bench, not stalls it. */
export function callOptions(): CallOptions {
  return { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) };
}

export async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  const startedMs = performance.now();
  await work();
  return performance.now() - startedMs;
}

/** Runs `work` `warmup` times untimed, then `repetitions` times timed, one after the other. */
export async function timeRepeated(
  { repetitions, warmup }: Repetitions,
  work: (timed: boolean) => Promise<unknown>,
): Promise<Spread> {
  for (let index = 0; index < warmup; index += 1) {
    await work(false);
  }
  const durationsMs: number[] = [];
  for (let index = 0; index < repetitions; index += 1) {
    durationsMs.push(await timeOnce(() => work(true)));
  }
  return spread(durationsMs);
}

/** Acts and throws unless the machine reports success: a refused action measures nothing. */
export async function actOrThrow(machine: Machine, action: AgentAction): Promise<void> {
  const outcome = await machine.act(action, callOptions());
  if (!outcome.ok) {
    throw new Error(`${action.type} on machine ${machine.id} failed: ${outcome.error}`);
  }
}

/** What repeated observations asked for and what the machine answered. */
export interface ObserveLatency {
  requested: 'png' | 'jpeg';
  /** The encodings the machine answered with, e.g. ['png'] when it ignores the request. */
  returned: string[];
  latency: Spread;
  bytesP50: number;
  /** Observations whose settle check ran out before the screen stopped changing. */
  unsettled: number;
}

export async function measureObserve(
  machine: Machine,
  requested: 'png' | 'jpeg',
  repetitions: Repetitions,
): Promise<ObserveLatency> {
  const returned = new Set<string>();
  const sizes: number[] = [];
  let unsettled = 0;

  const latency = await timeRepeated(repetitions, async (timed) => {
    const { screenshot, settled } = await machine.observe({ ...callOptions(), format: requested });
    returned.add(screenshot.format);
    if (timed) {
      sizes.push(screenshot.data.length);
      unsettled += settled ? 0 : 1;
    }
  });

  const bytesP50 = percentile(
    sizes.sort((a, b) => a - b),
    0.5,
  );
  return { requested, returned: [...returned], latency, bytesP50, unsettled };
}

/** Click and type latency through `machine.act`, with the input the page reported back. */
export interface InputLatency {
  click: Spread;
  type: Spread;
  /** Characters typed in total, warm-up included, and how many the page received. */
  typedChars: { sent: number; received: number };
}

export const TYPED_TEXT = 'deskhand bench 12345';

export async function measureInput(
  machine: Machine,
  point: { x: number; y: number },
  repetitions: Repetitions,
  receivedChars: () => Promise<number>,
): Promise<InputLatency> {
  const click = await timeRepeated(repetitions, () =>
    actOrThrow(machine, { type: 'click', button: 'left', ...point }),
  );
  const type = await timeRepeated(repetitions, () =>
    actOrThrow(machine, { type: 'type', text: TYPED_TEXT }),
  );
  const sent = (repetitions.repetitions + repetitions.warmup) * TYPED_TEXT.length;
  return { click, type, typedChars: { sent, received: await receivedChars() } };
}
