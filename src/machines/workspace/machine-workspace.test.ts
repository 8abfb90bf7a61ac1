import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MachineWorkspace } from './machine-workspace.js';

let root: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'deskhand-workspace-'));
  home = path.join(root, 'machines', 'm_1', 'home');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('MachineWorkspace', () => {
  it('creates the home with mode 0700 and a Downloads folder', async () => {
    const workspace = new MachineWorkspace({ machineId: 'm_1', homeDir: home });

    await workspace.ensure();
    await workspace.ensure();

    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(home, 'Downloads'))).isDirectory()).toBe(true);
  });

  it('refuses file and terminal work before the home exists', async () => {
    const workspace = new MachineWorkspace({ machineId: 'm_1', homeDir: home });

    await expect(workspace.files.read('a.txt')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(workspace.terminal.connect()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('closes its sessions and deletes the home on remove', async () => {
    const workspace = new MachineWorkspace({ machineId: 'm_1', homeDir: home });
    await workspace.ensure();
    const session = await workspace.terminal.connect();
    const running = workspace.terminal.execute(session, 'sleep 10', { timeoutMs: 20_000 });

    await workspace.remove();

    await expect(running).resolves.toMatchObject({ exit_code: null, timed_out: false });
    await expect(stat(home)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(workspace.terminal.list()).toEqual([]);
  });

  it('adds the configured variables to the minimal environment', async () => {
    const workspace = new MachineWorkspace({
      machineId: 'm_1',
      homeDir: home,
      env: { DISPLAY: ':101' },
    });
    await workspace.ensure();
    const session = await workspace.terminal.connect();

    const result = await workspace.terminal.execute(session, 'printf %s "$DISPLAY,$USER"');

    expect(result.output).toMatch(/^:101,.+/);
    await workspace.remove();
  });

  it('refuses a relative or root home', () => {
    expect(() => new MachineWorkspace({ machineId: 'm_1', homeDir: 'rel/home' })).toThrow(
      /absolute/,
    );
    expect(() => new MachineWorkspace({ machineId: 'm_1', homeDir: '/' })).toThrow(/root/);
  });

  it('reports a shell that cannot start', async () => {
    const workspace = new MachineWorkspace({
      machineId: 'm_1',
      homeDir: home,
      shell: path.join(root, 'no-such-shell'),
    });
    await workspace.ensure();

    await expect(workspace.terminal.connect()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(workspace.terminal.list()).toEqual([]);
  });
});
