import { performance } from 'node:perf_hooks';

import { gate } from '../test/support/agent-server.js';
import { ratio, summarize } from './stats.js';
import type { Summary } from './stats.js';
import { taskName } from './stack.js';
import type { Stack } from './stack.js';
import { pollJson, readSse } from './event-readers.js';
import type { EventReader } from './event-readers.js';

export interface EventLatencyOptions {
  /** Steps of each measured run; the model never finishes, so the run uses them all. */
  maxSteps: number;
  /** The polling client's cadence. */
  pollIntervalMs: number;
}

/** Latency of one reader over one run: client receive time − event `created_at`. */
export interface ReaderResult {
  /** Events appended after the reader was following the run: the measured ones. */
  events: number;
  /** Events appended before the reader was following (read as backlog): not measured. */
  backlog: number;
  latency: Summary;
}

export interface EventLatencyResult extends EventLatencyOptions {
  /** Wall-clock time of the phase: both runs, start to `done`. */
  phaseMs: number;
  sse: ReaderResult;
  polling: ReaderResult;
  /** Polling latency divided by SSE latency. */
  pollingOverSse: { p50: number; p99: number };
}

/**
 * Measures append → client latency of the SSE stream and of a polling client, each on its own
 * identical run. Both runs go at the same time, so both readers see the same load (and the
 * phase takes half as long).
 */
export async function measureEventLatency(
  stack: Stack,
  options: EventLatencyOptions,
): Promise<EventLatencyResult> {
  const startedMs = performance.now();
  const [sse, polling] = await Promise.all([
    measureReader(stack, options, readSse),
    measureReader(stack, options, pollJson(options.pollIntervalMs)),
  ]);
  return {
    ...options,
    phaseMs: Math.round(performance.now() - startedMs),
    sse,
    polling,
    pollingOverSse: {
      p50: ratio(polling.latency.p50Ms, sse.latency.p50Ms),
      p99: ratio(polling.latency.p99Ms, sse.latency.p99Ms),
    },
  };
}

/**
 * One run whose model holds its first step until the reader follows the run, then answers a
 * 1 ms wait at once, step after step, until `maxSteps` ends the run.
 */
async function measureReader(
  { api, agent }: Stack,
  options: EventLatencyOptions,
  reader: EventReader,
): Promise<ReaderResult> {
  const task = taskName('event-latency');
  const following = gate();
  agent.on(task, async ({ step }) => {
    if (step === 1) {
      await following.promise;
    }
    return { actions: [{ type: 'wait', ms: 1 }] };
  });
  const machineId = await api.machine();
  const created = await api.post('/v1/runs', {
    machine_id: machineId,
    task,
    max_steps: options.maxSteps,
  });
  if (created.status !== 200) {
    throw new Error(`create run: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  }

  let openedAtMs = Number.POSITIVE_INFINITY;
  let backlog = 0;
  const latenciesMs: number[] = [];
  await reader(api, created.body.id, {
    onOpen: () => {
      openedAtMs = Date.now();
      following.open();
    },
    onEvent: (event, receivedAtMs) => {
      const createdAtMs = Date.parse(event.created_at);
      if (createdAtMs < openedAtMs) {
        backlog += 1;
      } else {
        latenciesMs.push(receivedAtMs - createdAtMs);
      }
    },
  });
  return { events: latenciesMs.length, backlog, latency: summarize(latenciesMs) };
}
