import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createDesktopDriver } from '../src/machines/desktop/index.js';
import { runToolOrThrow } from '../src/machines/desktop/run-tool.js';
import { decodeXwd, encodePng } from '../src/machines/desktop/xwd-png.js';
import { displayProcesses, treeMemory } from './machine-memory.js';
import { CLICK_POINT, inputChars, machinesThatFit, openPage, provision } from './machine-setup.js';
import { measureInput, measureObserve, sleep, spread, timeRepeated } from './machine-timing.js';
import { percentile, round } from './stats.js';
import { measureStepOverhead } from './step-overhead.js';
import type { DesktopDriver } from '../src/machines/desktop/index.js';
import type { BenchPage } from './machine-page.js';
import type { TreeMemory } from './machine-memory.js';
import type { InputLatency, ObserveLatency, Repetitions, Spread } from './machine-timing.js';
import type { MachineBenchOptions, Progress } from './machines.js';
import type { StepOverheadResult } from './step-overhead.js';

export interface DesktopResult {
  provisioning: Spread;
  memory: {
    /** Each machine's display: its Xvfb and every process with DISPLAY set to it. */
    machines: TreeMemory[];
    /** Medians over the machines, of PSS and of private pages (USS). */
    perMachineMib: number;
    perMachinePrivateMib: number;
    fitInBudget: number;
  };
  screenshots: ObserveLatency[];
  /** One `xwd -root` and the in-process PNG encoding, without observe's settle check. */
  singleCapture: Spread;
  input: InputLatency;
  stepOverhead: StepOverheadResult;
}

/** Desktop machines (Xvfb, openbox, headful Chromium, xterm) as `createDesktopDriver` runs them. */
export async function measureDesktop(
  page: BenchPage,
  options: MachineBenchOptions,
  progress: Progress,
): Promise<DesktopResult> {
  const stateDir = await mkdtemp(join(tmpdir(), 'deskhand-bench-desktop-'));
  const driver = createDesktopDriver({ stateDir });
  const started: string[] = [];
  try {
    const { provisioning, memory } = await provisionAll(driver, started, options, progress);
    await Promise.all(started.slice(1).map((id) => driver.destroy(id)));

    const id = started[0]!;
    const display = driver.displayOf(id)!;
    const machine = await driver.open(id);
    await openPage(machine, page, 'desktop');
    progress(`desktop: screenshots, ${options.latency.repetitions} each asking PNG and JPEG`);
    const screenshots = [
      await measureObserve(machine, 'png', options.latency),
      await measureObserve(machine, 'jpeg', options.latency),
    ];
    const singleCapture = await measureSingleCapture(display, options.latency);

    progress('desktop: click and type');
    const input = await measureInput(machine, CLICK_POINT, options.latency, () =>
      page.typedLength('desktop', inputChars(options), 3_000),
    );

    const steps = options.stepRepetitions;
    progress(`desktop: ${steps} steps each, driver vs scrot + xdotool + ${options.fixedWaitMs} ms`);
    const stepOverhead = await measureStepOverhead(machine, display, CLICK_POINT, options);
    return { provisioning, memory, screenshots, singleCapture, input, stepOverhead };
  } finally {
    await Promise.all(started.map((id) => driver.destroy(id).catch(() => undefined)));
    await driver.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function provisionAll(
  driver: DesktopDriver,
  started: string[],
  options: MachineBenchOptions,
  progress: Progress,
): Promise<Pick<DesktopResult, 'provisioning' | 'memory'>> {
  const count = options.desktopMachines;
  progress(`desktop: starting ${count} machines one after another`);
  const provisioningMs: number[] = [];
  for (let index = 0; index < count; index += 1) {
    started.push(`bench-desktop-${index}`);
    provisioningMs.push(await provision(driver, started.at(-1)!, options.screen));
  }

  await sleep(options.idleBeforeMemoryMs);
  const machines: TreeMemory[] = [];
  for (const id of started) {
    machines.push(await treeMemory(await displayProcesses(driver.displayOf(id)!)));
  }

  const median = (field: 'pssMib' | 'privateMib'): number =>
    round(
      percentile(
        machines.map((machine) => machine[field]).sort((a, b) => a - b),
        0.5,
      ),
    );
  const perMachineMib = median('pssMib');
  return {
    provisioning: spread(provisioningMs),
    memory: {
      machines,
      perMachineMib,
      perMachinePrivateMib: median('privateMib'),
      fitInBudget: machinesThatFit(perMachineMib),
    },
  };
}

/** Times the capture observe builds on: one `xwd -root` of the display, decoded and encoded. */
function measureSingleCapture(display: string, repetitions: Repetitions): Promise<Spread> {
  const env = { PATH: '/usr/bin:/bin', DISPLAY: display };
  const args = ['-root', '-silent', '-display', display];
  return timeRepeated(repetitions, async () => {
    const dump = await runToolOrThrow('xwd', args, { env, timeoutMs: 10_000 });
    await encodePng(decodeXwd(dump));
  });
}
