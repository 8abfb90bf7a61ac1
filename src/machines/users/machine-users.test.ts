import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Workspaces } from '../workspaces.js';
import { MachineUsers, processesOf, userNameOf } from './index.js';
import { readPasswd } from './passwd.js';

const asRoot = process.getuid?.() === 0;

let dataDir: string;
let users: MachineUsers;
let workspaces: Workspaces;
let machineIds: string[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'deskhand-users-'));
  users = new MachineUsers({ dataDir });
  workspaces = new Workspaces(join(dataDir, 'machines'), users);
  machineIds = [randomUUID(), randomUUID()];
});

afterEach(async () => {
  await Promise.all(machineIds.map((id) => workspaces.remove(id)));
  await rm(dataDir, { recursive: true, force: true });
});

async function shell(machineId: string, command: string) {
  const workspace = await workspaces.get(machineId);
  await workspace.terminal.connect('default');
  return workspace.terminal.execute('default', command);
}

describe.skipIf(!asRoot)('machines with Unix users of their own', () => {
  it("keeps a machine's shell out of another machine's home and the server's files", async () => {
    const [a, b] = machineIds as [string, string];
    await writeFile(join(dataDir, 'server-secret'), 'server only', { mode: 0o644 });
    const workspaceB = await workspaces.get(b);
    await workspaceB.files.write('secret.txt', 'b only');

    const whoami = await shell(a, 'id -un');
    expect(whoami.output.trim()).toBe(userNameOf(a));

    const home = await stat(users.homeOf(a));
    const entry = (await readPasswd()).find((user) => user.name === userNameOf(a));
    expect({ uid: home.uid, mode: home.mode & 0o777 }).toEqual({ uid: entry?.uid, mode: 0o700 });

    const crossRead = await shell(a, `cat ${join(users.homeOf(b), 'secret.txt')}`);
    expect(crossRead.output).toMatch(/Permission denied/);
    expect(crossRead.exit_code).not.toBe(0);
    const serverRead = await shell(a, `cat ${join(dataDir, 'server-secret')}`);
    expect(serverRead.output).toMatch(/Permission denied/);

    // Its own home works as a home: files there are its.
    const own = await shell(a, 'echo mine > note && cat note && stat -c %U note');
    expect(own.output).toBe(`mine\n${userNameOf(a)}\n`);
  });

  it('refuses file commands through a symlink the machine made out of its home', async () => {
    const [a, b] = machineIds as [string, string];
    await (await workspaces.get(b)).files.write('secret.txt', 'b only');
    await shell(a, `ln -s ${users.homeOf(b)} other && ln -s /etc/shadow shadow`);
    const files = (await workspaces.get(a)).files;

    for (const attempt of [
      () => files.read('other/secret.txt'),
      () => files.read('shadow'),
      () => files.write('other/planted.txt', 'x'),
      () => files.append('shadow', 'x'),
      () => files.list('other'),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    }
    const listing = await (await workspaces.get(b)).files.list('');
    expect(listing.entries.map((entry) => entry.name)).toEqual(['Downloads', 'secret.txt']);
  });

  it('ends every process of a deleted machine, daemons too, and removes its user', async () => {
    const [a] = machineIds as [string];
    await shell(a, 'setsid sleep 300 >/dev/null 2>&1 < /dev/null &');
    const entry = (await readPasswd()).find((user) => user.name === userNameOf(a));
    expect(await processesOf(entry!.uid)).not.toEqual([]);

    await workspaces.remove(a);

    expect(await processesOf(entry!.uid)).toEqual([]);
    expect((await readPasswd()).some((user) => user.name === userNameOf(a))).toBe(false);
    await expect(stat(join(dataDir, 'machines', a))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reaps at start the users a crashed server left for machines that are gone', async () => {
    const [a, b] = machineIds as [string, string];
    await users.ensure(a);
    await users.ensure(b);
    await rm(join(dataDir, 'machines', a), { recursive: true });

    const { removedUsers } = await new MachineUsers({ dataDir }).prepare();

    expect(removedUsers).toContain(userNameOf(a));
    expect(removedUsers).not.toContain(userNameOf(b));
    const names = (await readPasswd()).map((user) => user.name);
    expect(names).toContain(userNameOf(b));
  });
});

describe('machines sharing the server user', () => {
  function recordingLogger() {
    const warnings: string[] = [];
    return { warnings, warn: (_: object, message: string) => warnings.push(message) };
  }

  it('says so at start when isolation is off, and runs machines as the server user', async () => {
    const logger = recordingLogger();
    const shared = new MachineUsers({ dataDir, logger, isolate: false });

    expect(await shared.prepare()).toEqual({ removedUsers: [] });
    expect(logger.warnings).toEqual([expect.stringMatching(/share the server's Unix user/)]);
    expect(await shared.ensure(randomUUID())).toMatchObject({
      name: userInfo().username,
      isolated: false,
    });
  });

  it.skipIf(!asRoot)(
    'falls back, saying why, when the data dir sits in a closed folder',
    async () => {
      const closed = join(dataDir, 'closed');
      await mkdir(closed, { mode: 0o700 });
      const logger = recordingLogger();
      const shared = new MachineUsers({ dataDir: join(closed, 'data'), logger });

      expect(await shared.isolated()).toBe(false);
      expect(logger.warnings).toEqual([expect.stringContaining(`${closed} is closed`)]);
    },
  );
});
