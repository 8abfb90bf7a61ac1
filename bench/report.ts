import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { StoreKind } from '../test/support/server.js';
import type { EventLatencyResult } from './event-latency.js';
import type { MachinesResult } from './machines.js';
import type { ModelRequestResult } from './model-requests.js';
import type { RunCreateResult } from './run-create.js';

/** What the bench measured on one store. */
export interface StoreResult {
  store: StoreKind;
  runCreate: RunCreateResult;
  eventLatency: EventLatencyResult;
}

export interface BenchReport {
  generatedAt: string;
  /** Load averages (1 min) when the bench started and ended: other work skews the numbers. */
  host: { node: string; platform: string; cpus: number; loadAverage: [number, number] };
  durationMs: number;
  /** Empty when the run was limited to other sections (`--only`). */
  stores: StoreResult[];
  /** Headless and desktop machines side by side; absent when the run skipped them. */
  machines?: MachinesResult;
  /** Each model adapter's request size and image tokens; absent when skipped. */
  modelRequests?: ModelRequestResult[];
}

export function runCreateTable(results: StoreResult[]): string {
  const first = results[0]?.runCreate;
  const title =
    `### Run create: POST /v1/runs over HTTP, ${first?.concurrency} workers, ` +
    `${first?.creates} creates after ${first?.warmup} warm-up`;
  const notes = [
    '- creates/s: measured creates ÷ wall time of the phase, which also holds a cancel per',
    '  create (each worker cancels its run to free its machine); a lower bound for creates alone.',
    '- create p50/p99/max: one POST /v1/runs, request sent → response parsed, in ms.',
    '- cancel p50: one POST /v1/runs/{id}/cancel, for reference.',
  ];
  const rows = results.map(({ store, runCreate: r }) =>
    row([
      store,
      r.createsPerSecond,
      r.create.p50Ms,
      r.create.p99Ms,
      r.create.maxMs,
      r.cancel.p50Ms,
    ]),
  );
  return [
    title,
    '',
    row(['store', 'creates/s', 'create p50 ms', 'create p99 ms', 'create max ms', 'cancel p50 ms']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
    ...rows,
    '',
    ...notes,
  ].join('\n');
}

export function eventLatencyTable(results: StoreResult[]): string {
  const first = results[0]?.eventLatency;
  const title =
    `### Event latency, append → client: SSE vs polling the JSON page every ` +
    `${first?.pollIntervalMs} ms (a run of ${first?.maxSteps} steps each)`;
  const notes = [
    '- latency of an event: client receive time − its created_at (same host clock, ms).',
    '- events: those appended while the client followed the run (SSE / polling). The SSE',
    '  run and the polling run are identical and go at the same time, on two machines.',
    '- poll÷SSE: polling latency divided by SSE latency, at p50 and at p99.',
  ];
  const rows = results.map(({ store, eventLatency: e }) =>
    row([
      store,
      `${e.sse.events} / ${e.polling.events}`,
      e.sse.latency.p50Ms,
      e.sse.latency.p99Ms,
      e.polling.latency.p50Ms,
      e.polling.latency.p99Ms,
      e.pollingOverSse.p50,
      e.pollingOverSse.p99,
    ]),
  );
  return [
    title,
    '',
    row([
      'store',
      'events',
      'SSE p50',
      'SSE p99',
      'poll p50',
      'poll p99',
      'poll÷SSE p50',
      'poll÷SSE p99',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...rows,
    '',
    ...notes,
  ].join('\n');
}

export function writeReport(file: string, report: BenchReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}
