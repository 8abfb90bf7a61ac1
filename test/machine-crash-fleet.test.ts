import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { Api } from './support/api.js';
import { TestServer, testStores } from './support/server.js';

/** Machines before the crash: mostly headless, a few desktops (each costs seconds to start). */
const HEADLESS_COUNT = 16;
const DESKTOP_COUNT = 4;
const TEST_TIMEOUT_MS = 300_000;

// Machines do not depend on the store, so one store is enough.
const store = testStores[0] ?? 'sqlite';

describe(`a fleet of machines through deletes and a crash on ${store}`, () => {
  let tempDir: string | undefined;
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.stop();
    if (server !== undefined) {
      await killAll(server.dataDir);
      await rm(server.dataDir, { recursive: true, force: true });
    }
    if (tempDir !== undefined) {
      await rm(tempDir, { recursive: true, force: true });
    }
  });

  it(
    'keeps one Chromium per live machine and one Xvfb per live desktop, and no temp profile',
    async () => {
      // The server's own temp dir, so what it leaves there is told apart from other servers'.
      tempDir = await mkdtemp(join(tmpdir(), 'deskhand-fleet-tmp-'));
      server = new TestServer({ store, env: { TMPDIR: tempDir } });
      await server.start();
      const { dataDir } = server;
      const api = () => new Api(server!.url, server!.adminKey);

      const desktops = await createMachines(api(), DESKTOP_COUNT, true);
      const headless = await createMachines(api(), HEADLESS_COUNT, false);
      const all = [...desktops, ...headless];
      const deleted = all.filter((_, index) => index % 2 === 0);
      const alive = all.filter((_, index) => index % 2 === 1);
      await Promise.all(deleted.map((id) => expectDeleted(api(), id)));
      expect(await census(dataDir)).toEqual(expected(alive, desktops));

      await server.kill('SIGKILL');
      await server.start();
      // The machines come back at their next use; nothing of the crashed server runs on.
      expect(await census(dataDir)).toEqual({ chromiums: [], xvfbs: [] });
      await Promise.all(alive.map((id) => expectScreenshot(api(), id)));

      expect(await census(dataDir)).toEqual(expected(alive, desktops));
      expect(await leftInTemp(tempDir)).toEqual([]);
      for (const id of deleted) {
        expect(existsSync(join(dataDir, 'machines', id)), id).toBe(false);
        expect(existsSync(join(dataDir, 'desktops', id)), id).toBe(false);
      }
      if (process.getuid?.() === 0) {
        expect((await machineUsersOf(dataDir)).sort()).toEqual([...alive].sort());
        const desktop = alive.find((id) => desktops.includes(id))!;
        const other = alive.find((id) => !desktops.includes(id))!;
        expect(await reachesDisplay(api(), dataDir, desktop, desktop)).toBe(true);
        expect(await reachesDisplay(api(), dataDir, other, desktop)).toBe(false);
      }

      await Promise.all(alive.map((id) => expectDeleted(api(), id)));
      expect(await census(dataDir)).toEqual({ chromiums: [], xvfbs: [] });
      expect(await machineUsersOf(dataDir)).toEqual([]);
      expect(await readdir(join(dataDir, 'machines'))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

async function createMachines(api: Api, count: number, desktop: boolean): Promise<string[]> {
  const responses = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      api.post('/v1/machines', { display_name: `fleet ${index}`, desktop_enabled: desktop }),
    ),
  );
  for (const response of responses) {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }
  return responses.map((response) => response.body.machine.id as string);
}

async function expectDeleted(api: Api, machineId: string): Promise<void> {
  const deleted = await api.call('DELETE', `/v1/machines/${machineId}`);
  expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
}

async function expectScreenshot(api: Api, machineId: string): Promise<void> {
  const shot = await api.get(`/v1/machines/${machineId}/screenshot?format=png`);
  expect(shot.status, JSON.stringify(shot.body)).toBe(200);
}

/** True when `machineId`'s shell can open the X display of `desktopId` with its cookie. */
async function reachesDisplay(
  api: Api,
  dataDir: string,
  machineId: string,
  desktopId: string,
): Promise<boolean> {
  const state = await readFile(join(dataDir, 'desktops', desktopId, 'machine.json'), 'utf8');
  const cookie = join(dataDir, 'desktops', desktopId, 'xauthority');
  const command = `XAUTHORITY=${cookie} xdpyinfo -display :${JSON.parse(state).display}`;
  const run = await api.post(`/v1/machines/${machineId}/actions`, {
    command: 'terminal_execute',
    parameters: { command: `${command} >/dev/null 2>&1; echo "status $?"` },
  });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  return run.body.result.output === 'status 0\n';
}

interface Census {
  /** The machine id in each main Chromium's profile path. */
  chromiums: string[];
  /** The machine id in each Xvfb's cookie path. */
  xvfbs: string[];
}

function expected(alive: string[], desktops: string[]): Census {
  return {
    chromiums: [...alive].sort(),
    xvfbs: alive.filter((id) => desktops.includes(id)).sort(),
  };
}

/**
 * The Chromium (browser, not helper) and Xvfb processes of this data dir: a Chromium names its
 * profile there, an Xvfb its cookie file.
 */
async function census(dataDir: string): Promise<Census> {
  const found = await processesOf(dataDir);
  const idsOf = (kind: string) =>
    found
      .filter((process) => process.kind === kind)
      .map((process) => process.machineId)
      .sort();
  return { chromiums: idsOf('chromium'), xvfbs: idsOf('xvfb') };
}

async function processesOf(dataDir: string) {
  const found: Array<{ pid: number; kind: string; machineId: string }> = [];
  for (const { pid, argv } of await listProcesses()) {
    const profile = argv.find((arg) => arg.startsWith(`--user-data-dir=${dataDir}/`));
    if (profile !== undefined && !argv.some((arg) => arg.startsWith('--type='))) {
      found.push({
        pid,
        kind: 'chromium',
        machineId: machineIdIn(dataDir, profile.split('=')[1]!),
      });
    }
    const auth = argv[argv.indexOf('-auth') + 1] ?? '';
    if (basename(argv[0] ?? '') === 'Xvfb' && auth.startsWith(`${dataDir}/`)) {
      found.push({ pid, kind: 'xvfb', machineId: machineIdIn(dataDir, auth) });
    }
  }
  return found;
}

/** `<dataDir>/machines/<id>/…` or `<dataDir>/desktops/<id>/…` → `<id>`. */
function machineIdIn(dataDir: string, path: string): string {
  return path.slice(dataDir.length + 1).split('/')[1] ?? '';
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

/** Playwright's temporary profiles and artifact folders in the server's temp dir. */
async function leftInTemp(tempDir: string): Promise<string[]> {
  return (await readdir(tempDir)).filter((name) => name.startsWith('playwright'));
}

/** The machines of this data dir that have a Unix user. */
async function machineUsersOf(dataDir: string): Promise<string[]> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  return passwd
    .split('\n')
    .map((line) => line.split(':')[5] ?? '')
    .filter((home) => home.startsWith(`${dataDir}/machines/`))
    .map((home) => machineIdIn(dataDir, home));
}

/** Kills by PID whatever of this data dir a failed test left running. */
async function killAll(dataDir: string): Promise<void> {
  for (const { pid } of await processesOf(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended already.
    }
  }
}
