import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { measureDesktop } from './desktop-machines.js';
import { measureHeadless } from './headless-machines.js';
import { machineTables } from './machine-report.js';
import { BenchPage } from './machine-page.js';
import type { DesktopResult } from './desktop-machines.js';
import type { HeadlessResult } from './headless-machines.js';
import type { Repetitions } from './machine-timing.js';

export interface MachineBenchOptions {
  screen: { width: number; height: number };
  /** Each screenshot, click and type series. */
  latency: Repetitions;
  /** Headless machines started in turn: the first launches the shared browser. */
  headlessMachines: number;
  desktopMachines: number;
  /** Pause after the last start before memory is read, so startup allocations settle. */
  idleBeforeMemoryMs: number;
  /** Steps of each kind in the step overhead comparison; they alternate. */
  stepRepetitions: number;
  /** The fixed wait after an action that the scrot + xdotool loop stands in for settling. */
  fixedWaitMs: number;
}

export interface MachinesResult {
  options: MachineBenchOptions;
  /** Versions of the outside tools the comparison shells out to. */
  tools: Record<string, string>;
  durationMs: number;
  /** Load averages (1 min) when the section started and ended; other work skews latencies. */
  loadAverage: [number, number];
  headless: HeadlessResult;
  desktop: DesktopResult;
  /** The printed markdown tables, one per metric. */
  tables: string[];
}

export type Progress = (message: string) => void;

/**
 * Headless and desktop machines side by side, on this host, through the drivers the server
 * uses: screenshot and input latency, time to a first observation, memory per idle machine,
 * and a desktop step against the scrot + xdotool loop many agents start with.
 */
export async function measureMachines(
  options: MachineBenchOptions,
  progress: Progress,
): Promise<MachinesResult> {
  const startedMs = performance.now();
  const loadAtStart = loadavg()[0]!;
  const tools = { scrot: await toolVersion('scrot', ['--version']) };
  const page = await BenchPage.start();

  try {
    // One kind at a time, so neither's idle processes weigh on the other's numbers.
    const headless = await measureHeadless(page, options, progress);
    const desktop = await measureDesktop(page, options, progress);
    const durationMs = Math.round(performance.now() - startedMs);
    const loadAverage: [number, number] = [loadAtStart, loadavg()[0]!];
    const result = { options, tools, durationMs, loadAverage, headless, desktop, tables: [] };
    return { ...result, tables: machineTables(result) };
  } finally {
    await page.stop();
  }
}

async function toolVersion(command: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args).catch((error: unknown) => {
    throw new Error(`${command} is needed by the machine bench (apt-get install ${command})`, {
      cause: error,
    });
  });
  return stdout.trim();
}
