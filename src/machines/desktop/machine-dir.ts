import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { giveTo, removeAsUser } from '../users/index.js';
import type { MachineUser } from '../users/index.js';
import { writeXauthority } from './xauthority.js';

/** Where a desktop keeps its files, and who they belong to. */
export interface MachineDirLayout {
  /** `<stateDir>/<machineId>`: the pid file, the profile and the display's cookie. */
  dir: string;
  /** The machine's home, which outlives the desktop. */
  homeDir: string;
  xauthorityPath: string;
  user: MachineUser;
}

/**
 * The machine's user owns its home and profile; the directory around them, with the pid
 * file, stays the server's, which a machine's user may only pass through.
 */
export async function makeMachineDirs(layout: MachineDirLayout): Promise<void> {
  const { dir, user } = layout;
  const mode = user.isolated ? 0o711 : 0o700;
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
  if (user.isolated) {
    await chmod(dirname(dir), 0o711);
  }
  await giveTo(layout.homeDir, user);
  await giveTo(join(dir, 'profile'), user);
  await giveTo(join(dir, 'browser-artifacts'), user);
  await writeXauthority(layout.xauthorityPath, user.isolated ? user : undefined);
}

/**
 * Removes a desktop's directory. What the machine's user owns in it (the profile) goes with
 * that user's rights first: its other processes (terminal sessions) may still change it.
 */
export async function removeMachineDir(dir: string, user: MachineUser): Promise<void> {
  if (user.isolated) {
    // What the user could not remove (a directory made before it existed) root removes below.
    await removeAsUser(user, [join(dir, 'profile')]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}
