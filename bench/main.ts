import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { testStores } from '../test/support/server.js';
import type { StoreKind } from '../test/support/server.js';
import { measureEventLatency } from './event-latency.js';
import type { EventLatencyOptions } from './event-latency.js';
import { eventLatencyTable, runCreateTable, writeReport } from './report.js';
import type { StoreResult } from './report.js';
import { measureRunCreate } from './run-create.js';
import type { RunCreateOptions } from './run-create.js';
import { withStack } from './stack.js';

const runCreate: RunCreateOptions = { concurrency: 8, creates: 200, warmup: 20 };
const eventLatency: EventLatencyOptions = { maxSteps: 60, pollIntervalMs: 250 };
// dist-bench/bench/main.js → the package root.
const resultsFile = join(import.meta.dirname, '..', '..', 'bench-results', 'latest.json');

/**
 * `npm run bench`: the same measurements on each store (SQLite and PostgreSQL unless
 * DESKHAND_TEST_STORES names fewer), one store's server at a time, printed side by side.
 */
async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const startedMs = performance.now();
  const results: StoreResult[] = [];
  for (const store of testStores) {
    results.push(await benchStore(store));
  }
  const durationMs = Math.round(performance.now() - startedMs);

  process.stdout.write(`\n${runCreateTable(results)}\n\n${eventLatencyTable(results)}\n\n`);
  writeReport(resultsFile, {
    generatedAt: new Date().toISOString(),
    host: {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      loadAverage: [loadAtStart, loadavg()[0]!],
    },
    durationMs,
    stores: results,
  });
  process.stdout.write(`Wrote ${resultsFile} (bench took ${(durationMs / 1000).toFixed(1)} s)\n`);
}

async function benchStore(store: StoreKind): Promise<StoreResult> {
  progress(`${store}: starting the server`);
  return withStack(store, async (stack) => {
    const { creates, concurrency } = runCreate;
    progress(`${store}: run create, ${creates} creates from ${concurrency} workers`);
    const runCreateResult = await measureRunCreate(stack, runCreate);
    progress(`${store}: event latency, SSE and polling every ${eventLatency.pollIntervalMs} ms`);
    const eventLatencyResult = await measureEventLatency(stack, eventLatency);
    progress(`${store}: done`);
    return { store, runCreate: runCreateResult, eventLatency: eventLatencyResult };
  });
}

const benchStartedMs = performance.now();

/** A progress line on stderr, with the seconds since the bench started and the load average. */
function progress(message: string): void {
  const seconds = ((performance.now() - benchStartedMs) / 1000).toFixed(1);
  const load = loadavg()[0]!.toFixed(1);
  process.stderr.write(`bench: [${seconds} s, load ${load}] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
