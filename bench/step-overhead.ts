/**
 * One agent step on a desktop: look at the screen, act, and wait for the screen to settle.
 * Compares the desktop driver with the loop many computer-use agents start with: shell out to
 * scrot for a screenshot file, to `xdotool mousemove X Y click 1` for the click, then sleep a
 * fixed time. Both run on the same display, alternating step by step.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { actOrThrow, callOptions, sleep, spread, timeOnce } from './machine-timing.js';
import { ratio } from './stats.js';
import type { Machine } from '../src/machines/driver.js';
import type { Spread } from './machine-timing.js';
import type { MachineBenchOptions } from './machines.js';

export interface StepOverheadResult {
  steps: number;
  fixedWaitMs: number;
  /** act(click), then observe(): capture until two captures match, then PNG. */
  driver: { step: Spread; act: Spread; observe: Spread; unsettled: number };
  /** scrot to a file and read it, xdotool mousemove + click, then the fixed wait. */
  scrot: { step: Spread; capture: Spread; click: Spread };
  /** scrot step ÷ driver step. */
  ratio: { p50: number; p90: number };
}

interface Point {
  x: number;
  y: number;
}

/** One step's parts, in ms. */
interface DriverStep {
  step: number;
  act: number;
  observe: number;
  settled: boolean;
}

interface ScrotStep {
  step: number;
  capture: number;
  click: number;
}

const execFileAsync = promisify(execFile);
const TOOL_TIMEOUT_MS = 10_000;

export async function measureStepOverhead(
  machine: Machine,
  display: string,
  point: Point,
  options: MachineBenchOptions,
): Promise<StepOverheadResult> {
  const { stepRepetitions: steps, fixedWaitMs } = options;
  const tempDir = await mkdtemp(join(tmpdir(), 'deskhand-bench-scrot-'));
  const shotFile = join(tempDir, 'screen.png');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', DISPLAY: display };
  const driver = { step: [] as number[], act: [] as number[], observe: [] as number[] };
  const scrot = { step: [] as number[], capture: [] as number[], click: [] as number[] };
  let unsettled = 0;

  try {
    // One untimed step of each first: the first scrot and xdotool runs load their libraries.
    for (let index = -1; index < steps; index += 1) {
      const driverStep = await driverStepOnce(machine, point);
      const scrotStep = await scrotStepOnce(env, shotFile, point, fixedWaitMs);
      if (index < 0) {
        continue;
      }
      for (const key of ['step', 'act', 'observe'] as const) {
        driver[key].push(driverStep[key]);
      }
      for (const key of ['step', 'capture', 'click'] as const) {
        scrot[key].push(scrotStep[key]);
      }
      unsettled += driverStep.settled ? 0 : 1;
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }

  const driverStep = spread(driver.step);
  const scrotStep = spread(scrot.step);
  return {
    steps,
    fixedWaitMs,
    driver: {
      step: driverStep,
      act: spread(driver.act),
      observe: spread(driver.observe),
      unsettled,
    },
    scrot: { step: scrotStep, capture: spread(scrot.capture), click: spread(scrot.click) },
    ratio: {
      p50: ratio(scrotStep.p50Ms, driverStep.p50Ms),
      p90: ratio(scrotStep.p90Ms, driverStep.p90Ms),
    },
  };
}

async function driverStepOnce(machine: Machine, point: Point): Promise<DriverStep> {
  let settled = false;
  const act = await timeOnce(() =>
    actOrThrow(machine, { type: 'click', button: 'left', ...point }),
  );
  const observe = await timeOnce(async () => {
    settled = (await machine.observe(callOptions())).settled;
  });
  return { step: act + observe, act, observe, settled };
}

async function scrotStepOnce(
  env: Record<string, string>,
  shotFile: string,
  { x, y }: Point,
  fixedWaitMs: number,
): Promise<ScrotStep> {
  const run = { env, timeout: TOOL_TIMEOUT_MS };
  const capture = await timeOnce(async () => {
    await execFileAsync('scrot', ['--overwrite', '--silent', shotFile], run);
    await readFile(shotFile);
  });
  const click = await timeOnce(() =>
    execFileAsync('xdotool', ['mousemove', String(x), String(y), 'click', '1'], run),
  );
  const wait = await timeOnce(() => sleep(fixedWaitMs));
  return { step: capture + click + wait, capture, click };
}
