/**
 * Every process a machine's user runs, found through /proc: how a deleted machine is sure to
 * leave nothing behind, daemons that left their session's process group included.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const SWEEP_INTERVAL_MS = 50;
const MAX_SWEEPS = 60;

/** PIDs of the live (not zombie) processes whose real or effective user is `uid`. */
export async function processesOf(uid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const owned = await Promise.all(pids.map(async (pid) => ((await runsAs(pid, uid)) ? pid : 0)));
  return owned.filter((pid) => pid !== 0);
}

/**
 * SIGKILLs the user's processes until none is left; a process forked between two sweeps is
 * caught by the next. Resolves to the number of sweeps that found something.
 */
export async function killProcessesOf(uid: number): Promise<number> {
  if (uid === 0 || uid === process.getuid?.()) {
    throw new Error(`Refusing to kill every process of uid ${uid}: it is not a machine's user.`);
  }
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep += 1) {
    const pids = await processesOf(uid);
    if (pids.length === 0) {
      return sweep;
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited since the sweep listed it.
      }
    }
    await sleep(SWEEP_INTERVAL_MS);
  }
  throw new Error(`Processes of uid ${uid} were still running after ${MAX_SWEEPS} sweeps.`);
}

async function runsAs(pid: number, uid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  if (/^State:\s+[ZX]/m.test(status)) {
    return false;
  }
  const ids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  return ids !== null && (Number(ids[1]) === uid || Number(ids[2]) === uid);
}
