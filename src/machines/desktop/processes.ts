/**
 * Child processes of a desktop machine: long-lived ones (Xvfb, openbox, Chromium, xterm) that
 * each lead a process group of their own, and short tool runs (xdotool, xwd, xdpyinfo) that can
 * be abandoned when the run's signal aborts. Nothing here goes through a shell.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';

/** Environment variables handed to machine processes; never the server's own environment. */
export type MachineEnv = Record<string, string>;

/** A long-lived process as the pid file records it. */
export interface ProcessRecord {
  name: string;
  /** Also the process group id: every process leads its own group. */
  pid: number;
  /** Clock ticks after boot when it started (/proc/PID/stat field 22); tells PID reuse apart. */
  startTicks: number;
}

/** A running long-lived process, with the tail of what it wrote to stderr for error advice. */
export interface GroupProcess {
  child: ChildProcess;
  record: ProcessRecord;
  stderrTail(): string;
}

const STDERR_TAIL_CHARS = 2_000;

/**
 * Starts `command` as the leader of a new process group (and session), as the user and in the
 * directory `runAs` gives, if it does.
 */
export async function spawnGroup(
  name: string,
  command: string,
  args: string[],
  env: MachineEnv,
  runAs?: { uid?: number; gid?: number; cwd?: string },
): Promise<GroupProcess> {
  const stdio: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];
  const child = spawn(command, args, { env, detached: true, stdio, ...runAs });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
  });

  const pid = await spawned(child, command);
  const startTicks = (await readStartTicks(pid)) ?? 0;
  return { child, record: { name, pid, startTicks }, stderrTail: () => tail.trim() };
}

function spawned(child: ChildProcess, command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`${command} could not be started: ${error.message}`)),
    );
    child.once('spawn', () => resolve(child.pid ?? 0));
  });
}

/** The start time of a live process, or undefined when no process has that PID. */
export async function readStartTicks(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) {
    return undefined;
  }

  // The command name in parentheses may hold spaces; the fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19]);
}

/** True when the recorded process, not a later one that reuses its PID, still runs. */
export async function isSameProcess(record: { pid: number; startTicks: number }): Promise<boolean> {
  return (await readStartTicks(record.pid)) === record.startTicks;
}

/** True while a process with this PID exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while any process of the group exists (zombies included). */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends a whole process group: SIGTERM first so Xvfb removes its lock and socket and Chromium
 * its children, then SIGKILL for whatever is left after `graceMs`. Resolves once the group is
 * gone, or after a last bounded wait.
 */
export async function killGroup(pgid: number, graceMs = 2_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (await waitForGroupExit(pgid, graceMs)) {
    return;
  }

  signalGroup(pgid, 'SIGKILL');
  await waitForGroupExit(pgid, 1_000);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already, which is the goal.
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupExists(pgid)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(25);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
