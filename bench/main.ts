import { cpus } from 'node:os';
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
import { linkServerBuild } from './server-build-link.js';
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
  linkServerBuild();
  const startedMs = performance.now();
  const results: StoreResult[] = [];
  for (const store of testStores) {
    results.push(await benchStore(store));
  }
  const durationMs = Math.round(performance.now() - startedMs);

  process.stdout.write(`\n${runCreateTable(results)}\n\n${eventLatencyTable(results)}\n\n`);
  writeReport(resultsFile, {
    generatedAt: new Date().toISOString(),
    host: { node: process.version, platform: process.platform, cpus: cpus().length },
    durationMs,
    stores: results,
  });
  process.stdout.write(`Wrote ${resultsFile} (bench took ${(durationMs / 1000).toFixed(1)} s)\n`);
}

async function benchStore(store: StoreKind): Promise<StoreResult> {
  return withStack(store, async (stack) => {
    progress(
      `${store}: run create (${runCreate.creates} creates, ${runCreate.concurrency} workers)`,
    );
    const runCreateResult = await measureRunCreate(stack, runCreate);
    progress(`${store}: event latency (SSE, then polling every ${eventLatency.pollIntervalMs} ms)`);
    const eventLatencyResult = await measureEventLatency(stack, eventLatency);
    return { store, runCreate: runCreateResult, eventLatency: eventLatencyResult };
  });
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
