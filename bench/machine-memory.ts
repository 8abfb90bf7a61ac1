/**
 * Memory of a machine's processes, read from /proc: PSS (proportional set size) from
 * smaps_rollup, summed over a process tree. PSS splits each shared page among the processes
 * that map it, so sums over disjoint trees add up to what the host really spends.
 */
import { readdir, readFile } from 'node:fs/promises';

import { round } from './stats.js';

interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The kernel's name for it (/proc/PID/comm), e.g. "Xvfb" or "chromium". */
  name: string;
}

/** What a set of processes holds, in MiB of PSS, in total and by process name. */
export interface TreeMemory {
  processes: number;
  pssMib: number;
  /** Pages no other process maps (USS): what ending these processes would free at least. */
  privateMib: number;
  byNameMib: Record<string, number>;
}

/** Sums the PSS of `roots` and every process descending from them. */
export async function treeMemory(roots: readonly number[]): Promise<TreeMemory> {
  const tree = withDescendants(await listProcesses(), roots);
  const byNameMib: Record<string, number> = {};
  let pssKib = 0;
  let privateKib = 0;

  for (const entry of tree) {
    const rollup = await readRollup(entry.pid);
    pssKib += rollup.pssKib;
    privateKib += rollup.privateKib;
    byNameMib[entry.name] = (byNameMib[entry.name] ?? 0) + rollup.pssKib / 1024;
  }
  for (const name of Object.keys(byNameMib)) {
    byNameMib[name] = round(byNameMib[name]!);
  }
  return {
    processes: tree.length,
    pssMib: round(pssKib / 1024),
    privateMib: round(privateKib / 1024),
    byNameMib,
  };
}

/**
 * The processes of X display `:N`: the Xvfb that holds its lock, and every process whose
 * environment names the display (a machine's clients inherit DISPLAY from the driver).
 */
export async function displayProcesses(display: string): Promise<number[]> {
  const number = display.replace(/^:/, '');
  const lock = await readFile(`/tmp/.X${number}-lock`, 'utf8').catch(() => '');
  const pids = new Set<number>();
  const xvfbPid = Number.parseInt(lock.trim(), 10);
  if (xvfbPid > 0) {
    pids.add(xvfbPid);
  }

  for (const { pid } of await listProcesses()) {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(`DISPLAY=${display}`)) {
      pids.add(pid);
    }
  }
  return [...pids];
}

/**
 * The headless browsers this process launched through Playwright: its Chromium children that
 * talk over --remote-debugging-pipe (the desktop driver's headful ones do not).
 *
 * LIMITATION: the browser's two chrome_crashpad_handler processes (about 1 MiB PSS each) are
 * reparented to init at launch, so they fall outside its tree and go uncounted; matching them
 * by their --database path or environment would bring them in.
 */
export async function headlessBrowserPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const { pid, ppid } of await listProcesses()) {
    if (ppid !== process.pid) {
      continue;
    }
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.includes('--remote-debugging-pipe') && args.includes('--headless')) {
      pids.push(pid);
    }
  }
  return pids;
}

async function listProcesses(): Promise<ProcessEntry[]> {
  const entries: ProcessEntry[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the rest does not.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    entries.push({
      pid: Number(name),
      ppid: Number(fields[1]),
      name: stat.slice(stat.indexOf('(') + 1, close),
    });
  }
  return entries;
}

function withDescendants(all: readonly ProcessEntry[], roots: readonly number[]): ProcessEntry[] {
  const included = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const entry of all) {
      if (!included.has(entry.pid) && included.has(entry.ppid)) {
        included.add(entry.pid);
        grew = true;
      }
    }
  }
  return all.filter((entry) => included.has(entry.pid));
}

/** Zero for a process that exited meanwhile. */
async function readRollup(pid: number): Promise<{ pssKib: number; privateKib: number }> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  return { pssKib: kib('Pss'), privateKib: kib('Private_Clean') + kib('Private_Dirty') };
}
