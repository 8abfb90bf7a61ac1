import { TYPED_TEXT, actOrThrow, callOptions, timeOnce } from './machine-timing.js';
import type { Machine, MachineDriver } from '../src/machines/driver.js';
import type { BenchPage } from './machine-page.js';
import type { MachineBenchOptions } from './machines.js';

/** Host memory the "idle machines that fit" column divides, in MiB. */
export const BUDGET_MIB = 24 * 1024;

/** A screen point inside the bench page's textarea, on either kind of machine at 1280×800. */
export const CLICK_POINT = { x: 960, y: 400 };

/** Milliseconds from `start` to the machine's first observation. */
export function provision(
  driver: MachineDriver,
  id: string,
  screen: MachineBenchOptions['screen'],
): Promise<number> {
  const desktopEnabled = driver.name === 'desktop';
  const spec = { id, desktopEnabled, screenWidth: screen.width, screenHeight: screen.height };
  return timeOnce(async () => {
    await driver.start(spec);
    const machine = await driver.open(id);
    await machine.observe(callOptions());
  });
}

/** Idle machines of `perMachineMib` that fit in the budget after `sharedMib` is spent. */
export function machinesThatFit(perMachineMib: number, sharedMib = 0): number {
  return perMachineMib > 0 ? Math.floor((BUDGET_MIB - sharedMib) / perMachineMib) : 0;
}

/** Opens the bench page on a machine and waits until it has been served and has settled. */
export async function openPage(machine: Machine, page: BenchPage, label: string): Promise<void> {
  await actOrThrow(machine, { type: 'navigate', url: page.url(label) });
  await page.waitForVisit(label, 15_000);
  await machine.observe(callOptions());
}

/** Characters the input series types: its warm-up and timed runs. */
export function inputChars({ latency }: MachineBenchOptions): number {
  return (latency.warmup + latency.repetitions) * TYPED_TEXT.length;
}
