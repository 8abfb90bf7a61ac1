import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { MachineWorkspace } from './workspace/index.js';

/**
 * The home directory and terminal sessions of each machine, under one folder of the data dir.
 * A workspace is made on first use and lives until its machine is deleted.
 */
export class Workspaces {
  private readonly open = new Map<string, MachineWorkspace>();

  constructor(private readonly rootDir: string) {}

  async get(machineId: string): Promise<MachineWorkspace> {
    let workspace = this.open.get(machineId);
    if (!workspace) {
      workspace = new MachineWorkspace({ machineId, homeDir: this.homeOf(machineId) });
      this.open.set(machineId, workspace);
    }
    await workspace.ensure();
    return workspace;
  }

  /** Ends the machine's sessions and deletes its files. */
  async remove(machineId: string): Promise<void> {
    const workspace = this.open.get(machineId);
    this.open.delete(machineId);
    if (workspace) {
      await workspace.remove();
    }
    await rm(join(this.rootDir, machineId), { recursive: true, force: true });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((workspace) => workspace.terminal.closeAll()));
  }

  /** The machine's home directory, whether or not it exists yet. */
  homeOf(machineId: string): string {
    return join(this.rootDir, machineId, 'home');
  }
}
