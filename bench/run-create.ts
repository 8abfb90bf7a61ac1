import { performance } from 'node:perf_hooks';

import { endless } from '../test/support/agent-server.js';
import type { Api } from '../test/support/api.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';
import { taskName } from './stack.js';
import type { Stack } from './stack.js';

export interface RunCreateOptions {
  /** Workers creating runs at once, each on a machine of its own. */
  concurrency: number;
  /** Measured creates. */
  creates: number;
  /** Creates before the measured ones, not counted. */
  warmup: number;
}

export interface RunCreateResult extends RunCreateOptions {
  /** Wall-clock time of the measured phase: every create and every cancel of it. */
  phaseMs: number;
  /** `creates / phaseMs`: runs created per second, the cancels that free machines included. */
  createsPerSecond: number;
  /** One `POST /v1/runs`, request sent to response parsed. */
  create: Summary;
  /** One `POST /v1/runs/{id}/cancel`, for reference. */
  cancel: Summary;
}

interface Samples {
  createMs: number[];
  cancelMs: number[];
}

/**
 * Creates runs over HTTP from `concurrency` workers. Each worker cancels its run right after
 * creating it, so its machine is free for its next create; only the create call is timed.
 */
export async function measureRunCreate(
  { api, agent }: Stack,
  options: RunCreateOptions,
): Promise<RunCreateResult> {
  const task = taskName('run-create');
  agent.on(task, endless());
  const machines = await Promise.all(
    Array.from({ length: options.concurrency }, () => api.machine()),
  );

  await createMany(api, task, machines, options.warmup);
  const startedMs = performance.now();
  const samples = await createMany(api, task, machines, options.creates);
  const phaseMs = performance.now() - startedMs;

  return {
    ...options,
    phaseMs: Math.round(phaseMs),
    createsPerSecond: Math.round((options.creates / phaseMs) * 1000 * 10) / 10,
    create: summarize(samples.createMs),
    cancel: summarize(samples.cancelMs),
  };
}

async function createMany(
  api: Api,
  task: string,
  machines: string[],
  total: number,
): Promise<Samples> {
  const samples: Samples = { createMs: [], cancelMs: [] };
  let remaining = total;
  await Promise.all(
    machines.map(async (machineId) => {
      while (remaining > 0) {
        remaining -= 1;
        await createThenCancel(api, task, machineId, samples);
      }
    }),
  );
  return samples;
}

async function createThenCancel(
  api: Api,
  task: string,
  machineId: string,
  samples: Samples,
): Promise<void> {
  const createdAt = performance.now();
  const created = await api.post('/v1/runs', { machine_id: machineId, task });
  const cancelAt = performance.now();
  expectOk('create run', created);
  const cancelled = await api.post(`/v1/runs/${created.body.id}/cancel`);
  const cancelEnd = performance.now();
  expectOk('cancel run', cancelled);

  samples.createMs.push(cancelAt - createdAt);
  samples.cancelMs.push(cancelEnd - cancelAt);
}

function expectOk(what: string, response: { status: number; body: unknown }): void {
  if (response.status !== 200) {
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  }
}
