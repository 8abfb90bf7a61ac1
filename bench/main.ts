import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { testStores } from '../test/support/server.js';
import type { StoreKind } from '../test/support/server.js';
import { measureEventLatency } from './event-latency.js';
import type { EventLatencyOptions } from './event-latency.js';
import { measureMachines } from './machines.js';
import { measureModelRequests, modelRequestTable } from './model-requests.js';
import type { ModelRequestResult } from './model-requests.js';
import type { MachineBenchOptions, MachinesResult } from './machines.js';
import { eventLatencyTable, runCreateTable, writeReport } from './report.js';
import type { StoreResult } from './report.js';
import { measureRunCreate } from './run-create.js';
import type { RunCreateOptions } from './run-create.js';
import { withStack } from './stack.js';

const runCreate: RunCreateOptions = { concurrency: 8, creates: 200, warmup: 20 };
const eventLatency: EventLatencyOptions = { maxSteps: 60, pollIntervalMs: 250 };
const machines: MachineBenchOptions = {
  screen: { width: 1280, height: 800 },
  latency: { repetitions: 20, warmup: 2 },
  headlessMachines: 6,
  desktopMachines: 5,
  idleBeforeMemoryMs: 2_000,
  stepRepetitions: 20,
  fixedWaitMs: 2_000,
};
// dist-bench/bench/main.js → the package root.
const resultsDir = join(import.meta.dirname, '..', '..', 'bench-results');

const SECTIONS = ['stores', 'machines', 'models'] as const;
type Section = (typeof SECTIONS)[number];

/**
 * `npm run bench`: the same measurements on each store (SQLite and PostgreSQL unless
 * DESKHAND_TEST_STORES names fewer), one store's server at a time, printed side by side;
 * then headless and desktop machines side by side; then the model adapters' request sizes.
 * `--only stores|machines|models` runs one section and writes latest-<section>.json, so a
 * partial run never replaces the full latest.json.
 */
async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2));
  const loadAtStart = loadavg()[0]!;
  const startedMs = performance.now();
  const results: StoreResult[] = [];
  for (const store of only === undefined || only === 'stores' ? testStores : []) {
    results.push(await benchStore(store));
  }
  let machinesResult: MachinesResult | undefined;
  if (only === undefined || only === 'machines') {
    progress('machines: headless, then desktop, on this host');
    machinesResult = await measureMachines(machines, progress);
  }
  let modelRequests: ModelRequestResult[] | undefined;
  if (only === undefined || only === 'models') {
    progress('models: request size and image tokens per adapter');
    modelRequests = await measureModelRequests();
  }
  const durationMs = Math.round(performance.now() - startedMs);

  const tables = [
    ...(results.length > 0 ? [runCreateTable(results), eventLatencyTable(results)] : []),
    ...(machinesResult?.tables ?? []),
    ...(modelRequests ? [modelRequestTable(modelRequests)] : []),
  ];
  process.stdout.write(`\n${tables.join('\n\n')}\n\n`);
  const resultsFile = join(resultsDir, only === undefined ? 'latest.json' : `latest-${only}.json`);
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
    ...(machinesResult === undefined ? {} : { machines: machinesResult }),
    ...(modelRequests === undefined ? {} : { modelRequests }),
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

function parseOnly(args: string[]): Section | undefined {
  const index = args.indexOf('--only');
  if (index < 0) {
    return undefined;
  }
  const section = SECTIONS.find((candidate) => candidate === args[index + 1]);
  if (section === undefined) {
    throw new Error(`--only takes one of: ${SECTIONS.join(', ')}`);
  }
  return section;
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
