import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** Sends a signal to the shell's whole process group, the commands it started included. */
export function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    // The shell was spawned detached, so its pid is also its process group id.
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}
