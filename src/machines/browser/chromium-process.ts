/**
 * Launching one machine's Chromium, as its user, on its profile under the data dir; and
 * finding the ones a crashed server left running.
 */
import { randomUUID } from 'node:crypto';
import { chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

import { killGroup } from '../desktop/index.js';
import { runAsWrapper } from '../users/index.js';
import { describePlaywrightError } from './browser-actions.js';
import type { MachineSpec } from '../driver.js';
import type { MachineUser, MachineUsers } from '../users/index.js';

/** The profile's folder inside the machine's directory. */
export const PROFILE_DIR = 'browser-profile';

// Headless without a GPU or sandbox (containers rarely allow one), and none of the
// background traffic a desktop Chromium sends to Google on its own.
// LIMITATION: without Chromium's sandbox a compromised renderer has all of the machine user's
// rights (not more); user namespaces on the host would let the sandbox run.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-domain-reliability',
  '--no-pings',
  '--disable-quic',
];

// A SIGKILLed Chromium leaves these behind, and a later one that finds the recorded PID
// reused by another process would refuse the profile as in use.
const SINGLETON_FILES = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'];

const MACHINE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function launchMachineChromium(
  spec: MachineSpec,
  users: MachineUsers,
  executablePath: string,
): Promise<BrowserContext> {
  const user = await users.ensure(spec.id);
  const profileDir = await machineProfile(dirname(users.homeOf(spec.id)), user);
  // Downloads and other artifacts stay with the machine, not in the server's temp dir.
  const artifactsDir = await users.ownDir(spec.id, 'browser-artifacts');
  await releaseProfile(profileDir, spec.id, users.machinesDir);
  const runAs = await runAsWrapper(users.binDir, executablePath, user);

  const home = users.homeOf(spec.id);
  // Built from scratch: the server's environment and its secrets stay out of the machine.
  const env = { PATH: MACHINE_PATH, HOME: home, USER: user.name, LANG: 'C.UTF-8', ...runAs.env };
  return chromium
    .launchPersistentContext(profileDir, {
      executablePath: runAs.executablePath,
      args: CHROMIUM_ARGS,
      env,
      artifactsDir,
      viewport: { width: spec.screenWidth, height: spec.screenHeight },
      deviceScaleFactor: 1,
    })
    .catch((error: unknown) => {
      const reason = describePlaywrightError(error);
      throw new Error(`Chromium failed to start from ${executablePath}: ${reason}`, {
        cause: error,
      });
    });
}

/**
 * The machine's profile, made on first launch with network prediction off: a normal profile
 * (unlike an incognito context) preconnects to sites it expects a visit to, opening sockets
 * no page asked for. It is built aside while only the server can enter it, handed to the
 * machine's user innermost first, then moved in place, so no path the server follows passes
 * through a directory the machine could have changed.
 */
async function machineProfile(machineDir: string, user: MachineUser): Promise<string> {
  const profileDir = join(machineDir, PROFILE_DIR);
  if ((await lstat(profileDir).catch(() => undefined)) !== undefined) {
    return profileDir;
  }

  const staging = join(machineDir, `.${PROFILE_DIR}-${randomUUID()}`);
  const preferences = join(staging, 'Default', 'Preferences');
  await mkdir(dirname(preferences), { recursive: true, mode: 0o700 });
  await writeFile(preferences, JSON.stringify({ net: { network_prediction_options: 2 } }), {
    mode: 0o600,
  });
  if (user.isolated) {
    for (const path of [preferences, dirname(preferences), staging]) {
      await chown(path, user.uid, user.gid);
    }
  }
  // A concurrent launch that won the race has made the profile already.
  await rename(staging, profileDir).catch(() => rm(staging, { recursive: true, force: true }));
  return profileDir;
}

/** Removes the locks a dead Chromium left on the profile; refuses one a live Chromium uses. */
async function releaseProfile(profileDir: string, machineId: string, machinesDir: string) {
  const holder = (await machineChromiums(machinesDir)).find((c) => c.machineId === machineId);
  if (holder !== undefined) {
    throw new Error(`The browser profile of machine ${machineId} is in use by PID ${holder.pid}.`);
  }
  await Promise.all(SINGLETON_FILES.map((name) => rm(join(profileDir, name), { force: true })));
}

/** The browser processes (not their helpers) running on a profile under `machinesDir`. */
export async function machineChromiums(
  machinesDir: string,
): Promise<Array<{ pid: number; machineId: string }>> {
  const prefix = `--user-data-dir=${machinesDir}/`;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found = await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      const argv = cmdline.split('\0');
      const profile = argv.find((arg) => arg.startsWith(prefix));
      // Renderers and the other helpers carry --type= and end with their browser.
      if (profile === undefined || argv.some((arg) => arg.startsWith('--type='))) {
        return undefined;
      }
      const [machineId, folder] = profile.slice(prefix.length).split('/');
      return folder === PROFILE_DIR && machineId ? { pid, machineId } : undefined;
    }),
  );
  return found.filter((entry) => entry !== undefined);
}

/** Ends the process groups of the given browsers; Playwright starts each as a group leader. */
export async function endChromiums(pids: number[]): Promise<void> {
  await Promise.all(pids.map((pid) => killGroup(pid)));
}
