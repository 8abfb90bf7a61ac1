import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MachineUsers } from '../users/index.js';
import { createBrowserDriver } from './index.js';
import { machineChromiums } from './chromium-process.js';
import type { Machine, MachineSpec } from '../driver.js';
import type { BrowserDriver } from './index.js';

let dataDir: string;
let users: MachineUsers;
let driver: BrowserDriver;
let site: Server;
let siteUrl: string;
// The Cookie header each request to /echo carried, in order.
const echoed: string[] = [];
const machineIds: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'deskhand-browsers-'));
  users = new MachineUsers({ dataDir });
  driver = createBrowserDriver({ users, settleTimeoutMs: 500 });
  site = createServer((request, response) => {
    if (request.url === '/set') {
      response.setHeader('set-cookie', 'who=first; Max-Age=3600; Path=/');
    } else if (request.url === '/echo') {
      echoed.push(request.headers.cookie ?? '');
    }
    response.end('<html><body>ok</body></html>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const address = site.address();
  siteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await driver.close();
  await Promise.all(machineIds.map((id) => users.remove(id)));
  site.closeAllConnections();
  await new Promise((resolve) => site.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const live = () => ({ signal: new AbortController().signal });

function specOf(id: string): MachineSpec {
  if (!machineIds.includes(id)) {
    machineIds.push(id);
  }
  return { id, desktopEnabled: false, screenWidth: 640, screenHeight: 480 };
}

async function visit(machine: Machine, path: string): Promise<void> {
  const outcome = await machine.act({ type: 'navigate', url: `${siteUrl}${path}` }, live());
  expect(outcome).toEqual({ ok: true });
}

async function uidOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

describe('headless machines on Chromium processes of their own', () => {
  it('runs one Chromium per machine, as its user, on its own persistent profile', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    await Promise.all([driver.start(specOf(first)), driver.start(specOf(second))]);

    const running = await machineChromiums(users.machinesDir);
    expect(running.map((chromium) => chromium.machineId).sort()).toEqual([first, second].sort());
    expect(new Set(running.map((chromium) => chromium.pid)).size).toBe(2);
    for (const chromium of running) {
      const user = await users.ensure(chromium.machineId);
      expect(await uidOf(chromium.pid)).toBe(user.uid);
      const profile = await stat(join(users.machinesDir, chromium.machineId, 'browser-profile'));
      expect({ uid: profile.uid, mode: profile.mode & 0o777 }).toEqual({
        uid: user.uid,
        mode: 0o700,
      });
    }

    await visit(await driver.open(first), '/set');
    await visit(await driver.open(second), '/echo');
    // A stop and a start bring the first machine back on the same profile, cookie and all.
    await driver.destroy(first);
    expect((await machineChromiums(users.machinesDir)).map((c) => c.machineId)).toEqual([second]);
    await driver.start(specOf(first));
    await visit(await driver.open(first), '/echo');
    expect(echoed.splice(0)).toEqual(['', 'who=first']);

    await Promise.all([driver.destroy(first), driver.destroy(second)]);
    expect(await machineChromiums(users.machinesDir)).toEqual([]);
  });

  it("ends at start the Chromiums a crashed server's driver left running", async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const crashed = createBrowserDriver({ users });
    await Promise.all([crashed.start(specOf(first)), crashed.start(specOf(second))]);

    const next = createBrowserDriver({ users: new MachineUsers({ dataDir }) });
    const { machineIds } = await next.reapOrphans();

    expect(machineIds.sort()).toEqual([first, second].sort());
    expect(await machineChromiums(users.machinesDir)).toEqual([]);
    await crashed.close();
    await next.close();
  });
});
