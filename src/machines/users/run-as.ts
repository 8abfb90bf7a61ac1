/**
 * A tiny executable that runs a program as a machine's user, for launchers that take a path
 * but no uid (Playwright). setpriv changes the ids in place and execs, so the program keeps
 * the launcher's PID, process group and file descriptors (Playwright talks to Chromium over
 * fds 3 and 4).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { MachineUser } from './machine-users.js';

const SETPRIV = '/usr/bin/setpriv';

// no-new-privs: a setuid program the machine finds cannot take it back to root.
const SCRIPT = `#!/bin/sh
exec ${SETPRIV} --reuid="$DESKHAND_RUN_UID" --regid="$DESKHAND_RUN_GID" --clear-groups \\
  --no-new-privs -- "$DESKHAND_RUN_PROGRAM" "$@"
`;

export interface RunAs {
  /** The executable to launch in place of the program. */
  executablePath: string;
  /** Variables to add to the launched environment. */
  env: Record<string, string>;
}

/**
 * Writes the wrapper into `binDir` (root's, never a machine's) and says how to launch
 * `program` through it as `user`; a shared user launches the program itself.
 */
export async function runAsWrapper(
  binDir: string,
  program: string,
  user: MachineUser,
): Promise<RunAs> {
  if (!user.isolated) {
    return { executablePath: program, env: {} };
  }

  await mkdir(binDir, { recursive: true, mode: 0o700 });
  const executablePath = join(binDir, 'run-as-machine-user');
  // Written aside and renamed in place, so a launch running meanwhile never reads half of it.
  const temporary = `${executablePath}.${randomUUID()}`;
  await writeFile(temporary, SCRIPT, { mode: 0o700 });
  await chmod(temporary, 0o700);
  await rename(temporary, executablePath);
  const env = {
    DESKHAND_RUN_UID: String(user.uid),
    DESKHAND_RUN_GID: String(user.gid),
    DESKHAND_RUN_PROGRAM: program,
  };
  return { executablePath, env };
}

/**
 * Deletes trees inside a machine's directories with its user's rights: a tree the machine
 * can change while it is walked must not be walked by root, which would follow a directory
 * swapped for a symlink. Rejects with rm's complaint when something stayed.
 */
export function removeAsUser(user: { uid: number; gid: number }, paths: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const options = { uid: user.uid, gid: user.gid, env: { PATH: '/usr/bin:/bin' } };
    execFile('rm', ['-rf', '--', ...paths], options, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
      } else {
        reject(new Error(`Could not delete all of ${paths.join(', ')}: ${stderr.trim()}`));
      }
    });
  });
}
