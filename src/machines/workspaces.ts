import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { MachineUsers } from './users/index.js';
import type { MachineUser } from './users/index.js';
import { MachineWorkspace } from './workspace/index.js';

/**
 * The home directory and terminal sessions of each machine, under one folder of the data dir,
 * owned by the machine's user. A workspace is made on first use and lives until its machine
 * is deleted, which also ends every process of the machine's user and removes the user.
 */
export class Workspaces {
  private readonly open = new Map<string, Promise<MachineWorkspace>>();
  private readonly users: MachineUsers;

  /** `users` defaults to machines sharing the server's user, homes under `rootDir`. */
  constructor(
    private readonly rootDir: string,
    users?: MachineUsers,
  ) {
    this.users = users ?? new MachineUsers({ dataDir: dirname(rootDir), isolate: false });
  }

  async get(machineId: string): Promise<MachineWorkspace> {
    let workspace = this.open.get(machineId);
    if (!workspace) {
      workspace = this.create(machineId);
      this.open.set(machineId, workspace);
      workspace.catch(() => this.open.delete(machineId));
    }
    const ready = await workspace;
    await ready.ensure();
    return ready;
  }

  /** Ends the machine's sessions and processes, deletes its files and its user. */
  async remove(machineId: string): Promise<void> {
    const workspace = this.open.get(machineId);
    this.open.delete(machineId);
    await (await workspace?.catch(() => undefined))?.terminal.closeAll();

    await this.users.remove(machineId);
    await rm(join(this.rootDir, machineId), { recursive: true, force: true });
  }

  async closeAll(): Promise<void> {
    const workspaces = await Promise.all(
      [...this.open.values()].map((workspace) => workspace.catch(() => undefined)),
    );
    await Promise.all(workspaces.map((workspace) => workspace?.terminal.closeAll()));
  }

  /** The machine's Unix user (the server's own when machines share it), made when missing. */
  userOf(machineId: string): Promise<MachineUser> {
    return this.users.ensure(machineId);
  }

  /** The machine's home directory, whether or not it exists yet. */
  homeOf(machineId: string): string {
    return join(this.rootDir, machineId, 'home');
  }

  private async create(machineId: string): Promise<MachineWorkspace> {
    const user = await this.users.ensure(machineId);
    return new MachineWorkspace({
      machineId,
      homeDir: join(this.rootDir, machineId, 'home'),
      ...(user.isolated && { user }),
    });
  }
}
