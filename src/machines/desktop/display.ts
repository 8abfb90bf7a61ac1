/**
 * Gives each machine an X display of its own. Xvfb claims /tmp/.X{N}-lock atomically and
 * replaces a lock whose PID is dead, so the driver only proposes numbers: it skips locks held
 * by live processes and numbers its own concurrent starts have taken, and moves on when Xvfb
 * reports the display taken by a server that won a race.
 */
import { readFile, rm } from 'node:fs/promises';

import { killGroup, processExists, sleep, spawnGroup } from './processes.js';
import { runTool } from './run-tool.js';
import type { GroupProcess, MachineEnv } from './processes.js';

export interface XDisplay {
  number: number;
  xvfb: GroupProcess;
}

/** The first display number proposed; low numbers are left to people and other tools. */
const FIRST_DISPLAY = 100;
const LAST_DISPLAY = 999;
const MAX_ATTEMPTS = 10;
const READY_TIMEOUT_MS = 10_000;

// Numbers this process is starting a server on, so two concurrent starts propose different ones.
const proposed = new Set<number>();

/** Starts Xvfb on a free display and resolves once an X client can connect to it. */
export async function startDisplay(
  width: number,
  height: number,
  env: MachineEnv,
): Promise<XDisplay> {
  let lastError = 'no display number was free';

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const number = await proposeDisplay();
    try {
      const xvfb = await tryDisplay(number, width, height, env);
      if (xvfb !== undefined) {
        return { number, xvfb };
      }
      lastError = `display :${number} was taken by another X server`;
    } finally {
      proposed.delete(number);
    }
  }

  throw new Error(`Xvfb failed after ${MAX_ATTEMPTS} display numbers: ${lastError}`);
}

async function proposeDisplay(): Promise<number> {
  for (let number = FIRST_DISPLAY; number <= LAST_DISPLAY; number += 1) {
    if (proposed.has(number)) {
      continue;
    }
    // Reserved before the lock file is read, so starts running at once never pick alike.
    proposed.add(number);
    if (!(await lockHeldByLiveProcess(number))) {
      return number;
    }
    proposed.delete(number);
  }
  throw new Error(
    `Xvfb failed: every display from :${FIRST_DISPLAY} to :${LAST_DISPLAY} is in use`,
  );
}

/** Resolves to the running server, or undefined when the display proved taken. */
async function tryDisplay(
  number: number,
  width: number,
  height: number,
  env: MachineEnv,
): Promise<GroupProcess | undefined> {
  // -noreset: by default the server resets when its last client leaves, so a window manager
  // connecting just as the readiness probe disconnects can find the display going down.
  const screen = `${width}x${height}x24`;
  const args = [`:${number}`, '-screen', '0', screen, '-nolisten', 'tcp', '-noreset'];
  // With a cookie file only clients that can read it connect; without, any local user can.
  if (env.XAUTHORITY !== undefined) {
    args.push('-auth', env.XAUTHORITY);
  }
  const xvfb = await spawnGroup('Xvfb', 'Xvfb', args, env);

  const ready = await waitUntilReady(number, xvfb, env);
  if (ready) {
    return xvfb;
  }

  const stderr = xvfb.stderrTail();
  await stopDisplay({ number, xvfb });
  if (/already active|server already running/i.test(stderr)) {
    return undefined;
  }
  throw new Error(`Xvfb failed on display :${number}: ${describeXvfbError(stderr)}`);
}

/**
 * Ready means our server, not one that won a race for the number, answers an X client: the
 * lock must name our PID, and xdpyinfo must connect.
 */
async function waitUntilReady(
  number: number,
  xvfb: GroupProcess,
  env: MachineEnv,
): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;

  while (Date.now() < deadline && xvfb.child.exitCode === null) {
    if ((await readLockPid(number)) === xvfb.record.pid) {
      const probe = await runTool('xdpyinfo', ['-display', `:${number}`], {
        env,
        timeoutMs: 2_000,
      });
      if (probe.code === 0 && xvfb.child.exitCode === null) {
        return true;
      }
    }
    await sleep(30);
  }
  return false;
}

function describeXvfbError(stderr: string): string {
  const fatal = stderr
    .split('\n')
    .find((line) => /fatal|error/i.test(line) && !/^\(EE\)\s*$/.test(line));
  return (
    fatal?.replace(/^\(EE\)\s*/, '') ??
    (stderr.split('\n').at(-1) || 'it exited or never accepted a client')
  );
}

/** Stops the server and removes its lock and socket when it could not remove them itself. */
export async function stopDisplay({ number, xvfb }: XDisplay): Promise<void> {
  await killGroup(xvfb.record.pid);
  await removeStaleDisplayFiles(number);
}

/**
 * Removes /tmp/.X{N}-lock and its socket when no live process holds the lock, as after a
 * SIGKILLed Xvfb. A lock of a live server is left alone.
 */
export async function removeStaleDisplayFiles(number: number): Promise<void> {
  const pid = await readLockPid(number);
  if (pid === undefined || processExists(pid)) {
    return;
  }

  await rm(lockPath(number), { force: true });
  await rm(`/tmp/.X11-unix/X${number}`, { force: true });
}

async function lockHeldByLiveProcess(number: number): Promise<boolean> {
  const pid = await readLockPid(number);
  return pid !== undefined && processExists(pid);
}

async function readLockPid(number: number): Promise<number | undefined> {
  const text = await readFile(lockPath(number), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.trim() ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function lockPath(number: number): string {
  return `/tmp/.X${number}-lock`;
}
