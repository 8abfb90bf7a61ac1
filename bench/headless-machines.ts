import { createBrowserDriver } from '../src/machines/browser/index.js';
import { headlessBrowserPids, treeMemory } from './machine-memory.js';
import { CLICK_POINT, inputChars, machinesThatFit, openPage, provision } from './machine-setup.js';
import { measureInput, measureObserve, sleep, spread } from './machine-timing.js';
import { round } from './stats.js';
import type { MachineDriver } from '../src/machines/driver.js';
import type { BenchPage } from './machine-page.js';
import type { TreeMemory } from './machine-memory.js';
import type { InputLatency, ObserveLatency, Spread } from './machine-timing.js';
import type { MachineBenchOptions, Progress } from './machines.js';

export interface HeadlessResult {
  provisioning: {
    /** The first machine also launches the shared browser. */
    firstMs: number;
    /** Each further machine: a new context and page in the running browser. */
    further: Spread;
  };
  memory: {
    /** The browsers' process trees with one machine, and with all of them. */
    oneMachine: TreeMemory;
    allMachines: TreeMemory & { machines: number };
    /** Growth of the tree per added machine: (all − one) ÷ (machines − 1). */
    perMachineMib: number;
    /** The same slope over pages private to the browser's processes (USS). */
    perMachinePrivateMib: number;
    /** The browser without machines, extrapolated: one machine's tree − perMachineMib. */
    sharedMib: number;
    fitInBudget: number;
  };
  screenshots: ObserveLatency[];
  input: InputLatency;
}

/** Headless machines, each on a Chromium of its own, as `createBrowserDriver` runs them. */
export async function measureHeadless(
  page: BenchPage,
  options: MachineBenchOptions,
  progress: Progress,
): Promise<HeadlessResult> {
  const driver = createBrowserDriver();
  const started: string[] = [];
  try {
    const { provisioning, memory } = await provisionAll(driver, started, options, progress);
    await Promise.all(started.slice(1).map((id) => driver.destroy(id)));

    const machine = await driver.open(started[0]!);
    await openPage(machine, page, 'headless');
    progress(`headless: screenshots, ${options.latency.repetitions} each of PNG and JPEG`);
    const screenshots = [
      await measureObserve(machine, 'png', options.latency),
      await measureObserve(machine, 'jpeg', options.latency),
    ];
    progress('headless: click and type');
    const input = await measureInput(machine, CLICK_POINT, options.latency, () =>
      page.typedLength('headless', inputChars(options), 3_000),
    );
    return { provisioning, memory, screenshots, input };
  } finally {
    await Promise.all(started.map((id) => driver.destroy(id).catch(() => undefined)));
    await driver.close();
  }
}

async function provisionAll(
  driver: MachineDriver,
  started: string[],
  options: MachineBenchOptions,
  progress: Progress,
): Promise<Pick<HeadlessResult, 'provisioning' | 'memory'>> {
  const count = options.headlessMachines;
  progress(`headless: starting ${count} machines one after another, memory at 1 and ${count}`);
  const start = (index: number): Promise<number> => {
    started.push(`bench-headless-${index}`);
    return provision(driver, started.at(-1)!, options.screen);
  };

  const firstMs = await start(0);
  await sleep(options.idleBeforeMemoryMs);
  const oneMachine = await browserMemory(1);

  const furtherMs: number[] = [];
  for (let index = 1; index < count; index += 1) {
    furtherMs.push(await start(index));
  }
  await sleep(options.idleBeforeMemoryMs);
  const allMachines = { ...(await browserMemory(count)), machines: count };

  const slope = (field: 'pssMib' | 'privateMib'): number =>
    round((allMachines[field] - oneMachine[field]) / (count - 1));
  const perMachineMib = slope('pssMib');
  const sharedMib = round(oneMachine.pssMib - perMachineMib);
  return {
    provisioning: { firstMs: round(firstMs), further: spread(furtherMs) },
    memory: {
      oneMachine,
      allMachines,
      perMachineMib,
      perMachinePrivateMib: slope('privateMib'),
      sharedMib,
      fitInBudget: machinesThatFit(perMachineMib, sharedMib),
    },
  };
}

async function browserMemory(machines: number): Promise<TreeMemory> {
  const pids = await headlessBrowserPids();
  if (pids.length !== machines) {
    throw new Error(`expected ${machines} headless browsers of the bench, found ${pids.length}`);
  }
  return treeMemory(pids);
}
