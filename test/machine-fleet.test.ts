import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Api } from './support/api.js';
import { TestServer, testStores } from './support/server.js';
import { useServer } from './support/suite.js';

/** Desktops created at once; the issue asks for ten. */
const FLEET_SIZE = 10;
/**
 * Desktops created before the crash, half of them deleted. The issue asks for twenty, but each
 * desktop a crash leaves delays the restart by ~8 s on a 2-core host, so the file would not fit
 * its three minutes per store.
 */
const CRASH_FLEET_SIZE = 8;
const TEST_TIMEOUT_MS = 240_000;

describe.each(testStores)('fleets of desktop machines on %s', (store) => {
  const suite = useServer(store);

  it(
    'starts desktops requested at once, each working on a display of its own, past a stale X lock',
    async () => {
      const { api, server } = suite;
      const census = new DesktopCensus(server.dataDir);
      const stale = await plantStaleLock();

      try {
        const machineIds = await createDesktops(api, FLEET_SIZE);
        await census.expectOnePerMachine(machineIds);
        // Taken over: the lock now names a live X server instead of the dead process.
        const lockPid = await readLockPid(stale.display);
        expect(lockPid).not.toBe(stale.pid);
        expect(lockPid !== undefined && processExists(lockPid), `lock of ${lockPid}`).toBe(true);

        await Promise.all(machineIds.map((id) => expectWorking(api, server.dataDir, id)));
        await Promise.all(machineIds.map((id) => expectDeleted(api, id)));
        expect(await census.take()).toEqual({ xvfbs: [], chromiums: [] });
      } finally {
        await removeLockIfStillOurs(stale);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps one Xvfb and one Chromium per live desktop through deletes and a crash, none after stop',
    async () => {
      const server = new TestServer({ store });
      const census = new DesktopCensus(server.dataDir);
      const api = () => new Api(server.url, server.adminKey);
      try {
        await server.start();
        const machineIds = await createDesktops(api(), CRASH_FLEET_SIZE);
        await Promise.all(machineIds.map((id) => expectWorking(api(), server.dataDir, id)));
        const deleted = machineIds.filter((_, index) => index % 2 === 0);
        const alive = machineIds.filter((_, index) => index % 2 === 1);
        await Promise.all(deleted.map((id) => expectDeleted(api(), id)));
        await census.expectOnePerMachine(alive);

        await server.kill('SIGKILL');
        await server.start();
        await Promise.all(alive.map((id) => expectScreenshot(api(), id)));
        await census.expectOnePerMachine(alive);
        for (const id of deleted) {
          expect((await api().get(`/v1/machines/${id}`)).status).toBe(404);
          const desktopDir = join(server.dataDir, 'desktops', id);
          expect(existsSync(desktopDir)).toBe(false);
          expect(existsSync(join(server.dataDir, 'machines', id))).toBe(false);
          expect(await processesNaming(desktopDir)).toEqual([]);
        }

        await server.kill('SIGTERM');
        expect(await census.take()).toEqual({ xvfbs: [], chromiums: [] });
        expect(await processesNaming(server.dataDir)).toEqual([]);
      } finally {
        await stopAndReap(server, census);
      }
    },
    TEST_TIMEOUT_MS,
  );
});

async function createDesktops(api: Api, count: number): Promise<string[]> {
  const requests = Array.from({ length: count }, (_, index) =>
    api.post('/v1/machines', { display_name: `desk ${index}`, desktop_enabled: true }),
  );
  const responses = await Promise.all(requests);
  for (const response of responses) {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.machine).toMatchObject({ desktop_enabled: true, status: 'running' });
  }
  return responses.map((response) => response.body.machine.id as string);
}

async function expectWorking(api: Api, dataDir: string, machineId: string): Promise<void> {
  await expectScreenshot(api, machineId);
  const echoed = await api.post(`/v1/machines/${machineId}/actions`, {
    command: 'terminal_execute',
    parameters: { command: 'echo $HOME' },
  });
  expect(echoed.body.result).toMatchObject({
    output: `${join(dataDir, 'machines', machineId, 'home')}\n`,
    exit_code: 0,
  });
}

async function expectScreenshot(api: Api, machineId: string): Promise<void> {
  const shot = await api.get(`/v1/machines/${machineId}/screenshot?format=png`);
  expect(shot.status, JSON.stringify(shot.body)).toBe(200);
  expect(shot.body).toMatchObject({ width: 1280, height: 800, mime_type: 'image/png' });
  expect(pngSize(Buffer.from(shot.body.image_b64, 'base64'))).toEqual({
    width: 1280,
    height: 800,
  });
}

async function expectDeleted(api: Api, machineId: string): Promise<void> {
  const deleted = await api.call('DELETE', `/v1/machines/${machineId}`);
  expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
}

/** Width and height from a PNG's IHDR chunk, which always comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function stateFile(dataDir: string, machineId: string): string {
  return join(dataDir, 'desktops', machineId, 'machine.json');
}

interface StaleLock {
  display: number;
  pid: number;
}

/**
 * Writes /tmp/.X{N}-lock for the lowest free display from 100, naming a process that has
 * exited, as a crashed X server leaves it: the next desktop should take that display over.
 */
async function plantStaleLock(): Promise<StaleLock> {
  const pid = spawnSync('true').pid;
  expect(processExists(pid)).toBe(false);
  for (let display = 100; display < 1000; display += 1) {
    if (existsSync(`/tmp/.X${display}-lock`) || existsSync(`/tmp/.X11-unix/X${display}`)) {
      continue;
    }
    // 'wx': a lock another X server creates meanwhile is never overwritten.
    const written = await writeFile(lockPath(display), `${String(pid).padStart(10)}\n`, {
      flag: 'wx',
    }).then(
      () => true,
      () => false,
    );
    if (written) {
      return { display, pid };
    }
  }
  throw new Error('no free X display number from :100 to :999');
}

async function removeLockIfStillOurs(lock: StaleLock): Promise<void> {
  if ((await readLockPid(lock.display)) === lock.pid) {
    await rm(lockPath(lock.display), { force: true });
  }
}

async function readLockPid(display: number): Promise<number | undefined> {
  const text = await readFile(lockPath(display), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number.parseInt(text.trim(), 10);
}

function lockPath(display: number): string {
  return `/tmp/.X${display}-lock`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface XvfbProcess {
  pid: number;
  display: number;
}

interface RecordedProcess {
  name: string;
  pid: number;
  startTicks: number;
}

interface ChromiumProcess {
  pid: number;
  profile: string;
  display: number | undefined;
}

/**
 * The Xvfb and main Chromium processes of one server, told apart from those of other servers
 * on this host: a Chromium by the data dir in its profile path, an Xvfb by the PID its server
 * recorded in a pid file or by the display one of those Chromiums runs on. Only processes so
 * identified have their environment read.
 */
class DesktopCensus {
  /** Start ticks of each Xvfb the server recorded, by PID, kept after the pid file is gone. */
  private readonly recordedXvfbs = new Map<number, number>();

  constructor(private readonly dataDir: string) {}

  async take(): Promise<{ xvfbs: XvfbProcess[]; chromiums: ChromiumProcess[] }> {
    await this.learnRecordedXvfbs();
    const processes = await listProcesses();
    const profilePrefix = `--user-data-dir=${join(this.dataDir, 'desktops')}/`;

    const chromiums: ChromiumProcess[] = [];
    for (const { pid, argv } of processes) {
      const profile = argv.find((arg) => arg.startsWith(profilePrefix));
      // Renderers and the other helpers carry --type=; the browser process does not.
      if (profile !== undefined && !argv.some((arg) => arg.startsWith('--type='))) {
        const display = (await readEnvironment(pid)).DISPLAY;
        chromiums.push({ pid, profile: profile.split('=')[1]!, display: displayNumber(display) });
      }
    }

    const chromiumDisplays = new Set(chromiums.map((chromium) => chromium.display));
    const xvfbs: XvfbProcess[] = [];
    for (const { pid, argv } of processes) {
      const display = displayNumber(argv[1]);
      if (basename(argv[0] ?? '') !== 'Xvfb' || display === undefined) {
        continue;
      }
      if (chromiumDisplays.has(display) || (await this.isRecordedXvfb(pid))) {
        xvfbs.push({ pid, display });
      }
    }
    return { xvfbs, chromiums };
  }

  /** Exactly one Xvfb and one Chromium for each machine, on a display of its own. */
  async expectOnePerMachine(machineIds: string[]): Promise<void> {
    const { xvfbs, chromiums } = await this.take();
    const profiles = machineIds.map((id) => join(this.dataDir, 'desktops', id, 'profile'));
    expect(chromiums.map((chromium) => chromium.profile).sort()).toEqual(profiles.sort());
    expect(xvfbs).toHaveLength(machineIds.length);
    const xvfbDisplays = xvfbs.map((xvfb) => xvfb.display).sort();
    expect(chromiums.map((chromium) => chromium.display).sort()).toEqual(xvfbDisplays);
    expect(new Set(xvfbDisplays).size).toBe(machineIds.length);
  }

  /** Kills by PID whatever of the server a failed test left running. */
  async reapLeftovers(): Promise<void> {
    const { xvfbs, chromiums } = await this.take();
    for (const { pid } of [...chromiums, ...xvfbs]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Ended since the census was taken.
      }
    }
  }

  private async learnRecordedXvfbs(): Promise<void> {
    const desktops = join(this.dataDir, 'desktops');
    for (const machineId of await readdir(desktops).catch(() => [])) {
      const text = await readFile(stateFile(this.dataDir, machineId), 'utf8').catch(() => '{}');
      const recorded: RecordedProcess[] = JSON.parse(text).processes ?? [];
      for (const xvfb of recorded.filter((record) => record.name === 'Xvfb')) {
        this.recordedXvfbs.set(xvfb.pid, xvfb.startTicks);
      }
    }
  }

  private async isRecordedXvfb(pid: number): Promise<boolean> {
    const recorded = this.recordedXvfbs.get(pid);
    return recorded !== undefined && recorded === (await readStartTicks(pid));
  }
}

async function listProcesses(): Promise<Array<{ pid: number; argv: string[] }>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const listed = await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      return { pid, argv: cmdline.split('\0').filter(Boolean) };
    }),
  );
  return listed.filter(({ argv }) => argv.length > 0);
}

/** PIDs of the processes with `path`, or a path inside it, in their command line. */
async function processesNaming(path: string): Promise<number[]> {
  const naming = (arg: string) => arg.endsWith(path) || arg.includes(`${path}/`);
  const processes = await listProcesses();
  return processes.filter(({ argv }) => argv.some(naming)).map(({ pid }) => pid);
}

async function readEnvironment(pid: number): Promise<Record<string, string>> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const entries = environ.split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => entry.split(/=(.*)/s, 2)));
}

/** Clock ticks after boot when the process started, as the server records them. */
async function readStartTicks(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined
    ? undefined
    : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

function displayNumber(display: string | undefined): number | undefined {
  const match = /^:(\d+)$/.exec(display ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Stops the server and removes its data dir. Desktops a failed test left behind are reaped by
 * starting the server once more, and whatever of them still runs after that is killed by PID.
 */
async function stopAndReap(server: TestServer, census: DesktopCensus): Promise<void> {
  await server.stop();
  if (!isEmpty(await census.take())) {
    await server.start().catch(() => undefined);
    await server.stop();
    await census.reapLeftovers();
  }
  await rm(server.dataDir, { recursive: true, force: true });
}

function isEmpty(census: { xvfbs: unknown[]; chromiums: unknown[] }): boolean {
  return census.xvfbs.length === 0 && census.chromiums.length === 0;
}
