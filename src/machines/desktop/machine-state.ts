/**
 * The pid file each desktop machine keeps in `<stateDir>/<machineId>/machine.json`, written
 * after every process it starts, so a later server can end what a crashed one left running.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { removeStaleDisplayFiles } from './display.js';
import { isSameProcess, killGroup, processExists, readStartTicks } from './processes.js';
import type { ProcessRecord } from './processes.js';

/** Who started a machine: a driver instance inside one server process. */
export interface StateOwner {
  pid: number;
  startTicks: number;
  instanceId: string;
}

/** The stored pid file. `version` changes when its shape does; older versions stay readable. */
export interface MachineState {
  version: 1;
  machineId: string;
  /** The X display number, once Xvfb runs. */
  display?: number;
  owner: StateOwner;
  /** In start order; each process leads its own process group. */
  processes: ProcessRecord[];
}

const STATE_FILE = 'machine.json';

// Machine ids become directory names; anything that could climb out of stateDir is refused.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function machineDir(stateDir: string, machineId: string): string {
  if (!SAFE_ID.test(machineId) || machineId.includes('..')) {
    throw new Error(`Machine id '${machineId}' cannot name a directory on the desktop driver.`);
  }
  return join(stateDir, machineId);
}

/** Identifies the driver instance; `instanceId` tells two instances in one process apart. */
export async function currentOwner(): Promise<StateOwner> {
  const startTicks = (await readStartTicks(process.pid)) ?? 0;
  return { pid: process.pid, startTicks, instanceId: randomUUID() };
}

/** Replaces the pid file in one rename, so a crash never leaves half of one. */
export async function writeState(dir: string, state: MachineState): Promise<void> {
  const temporary = join(dir, `${STATE_FILE}.tmp`);
  await writeFile(temporary, JSON.stringify(state, null, 2));
  await rename(temporary, join(dir, STATE_FILE));
}

export async function readState(dir: string): Promise<MachineState | undefined> {
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) {
    return undefined;
  }

  try {
    const state = JSON.parse(text) as MachineState;
    return state.version === 1 && Array.isArray(state.processes) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The machine directories under stateDir, whether or not they still hold a pid file. */
export async function listMachineDirs(stateDir: string): Promise<string[]> {
  const entries = await readdir(stateDir, { withFileTypes: true }).catch(() => []);
  // Dot-folders are not machines: a driver standing alone keeps its machines' homes in one.
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => join(stateDir, entry.name));
}

/** True when the owner is a live server process other than this one: its machines are not ours. */
export async function ownedByOtherLiveProcess(owner: StateOwner): Promise<boolean> {
  return owner.pid !== process.pid && (await isSameProcess(owner));
}

/**
 * Ends every process group the pid file names, all at once (each may take its whole grace
 * period: orphans' zombies linger until the host's init reaps them), removes the display's
 * lock when its Xvfb is gone, and deletes the directory with the profile and home in it
 * (with `remove` when given).
 */
export async function reapMachineDir(
  dir: string,
  state: MachineState | undefined,
  remove: () => Promise<void> = () => rm(dir, { recursive: true, force: true }),
): Promise<void> {
  await Promise.all(
    (state?.processes ?? []).map(async (record) => {
      if (await mayKill(record)) {
        await killGroup(record.pid);
      }
    }),
  );

  if (state?.display !== undefined) {
    await removeStaleDisplayFiles(state.display);
  }
  await remove();
}

/**
 * A recorded group may be killed when its leader is the recorded process, or when the leader
 * is gone: a group id cannot be handed out again while members of the group live, so what is
 * left of it is ours. A live leader with another start time reuses the PID and is spared.
 */
async function mayKill(record: ProcessRecord): Promise<boolean> {
  if (!processExists(record.pid)) {
    return true;
  }
  return isSameProcess(record);
}
