import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { invalidState } from '../../errors/index.js';
import { MachineUsers } from '../users/index.js';
import { createDesktopMachine } from './desktop-machine.js';
import { DesktopSession } from './desktop-session.js';
import { removeMachineDir } from './machine-dir.js';
import {
  currentOwner,
  listMachineDirs,
  machineDir,
  ownedByOtherLiveProcess,
  readState,
  reapMachineDir,
} from './machine-state.js';
import type { Machine, MachineDriver, MachineSpec } from '../driver.js';
import type { StateOwner } from './machine-state.js';

/** Where degraded-but-handled trouble and lifecycle are reported; a pino logger fits. */
export interface DesktopDriverLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Where a driver without a server's machine users keeps its machines' homes. */
const STANDALONE_HOMES = '.machines';

export interface DesktopDriverOptions {
  /** Where each machine keeps its home, browser profile and pid file, e.g. `<dataDir>/desktop`. */
  stateDir: string;
  /** The Chromium binary. Default `/usr/lib/chromium/chromium` (not Debian's wrapper script). */
  chromiumPath?: string;
  /** Each machine's Unix user, which runs its programs. Default: the server's, shared. */
  users?: MachineUsers;
  logger?: DesktopDriverLogger;
  /** Longest wait for the screen to stop changing before an observation, in ms. Default 3000. */
  settleTimeoutMs?: number;
}

/** What `reapOrphans` ended. */
export interface ReapReport {
  /** Machine ids whose processes were killed and whose directories were removed. */
  machineIds: string[];
}

/** The desktop driver, with the extras only it offers. */
export interface DesktopDriver extends MachineDriver {
  /**
   * Kills the processes recorded in pid files under stateDir that no live server owns (left
   * by a crashed server, or by an earlier driver instance in this process), and removes their
   * directories, profiles and display locks. Call it at server start, before any `start`.
   */
  reapOrphans(): Promise<ReapReport>;
  /** The X display (":N") of a started machine, for VNC or debugging; undefined otherwise. */
  displayOf(machineId: string): string | undefined;
}

/**
 * A driver whose machines are whole desktops on this host: per machine an Xvfb display,
 * openbox, a headful Chromium and an xterm, each process in its own process group.
 */
export function createDesktopDriver(options: DesktopDriverOptions): DesktopDriver {
  return new LocalDesktopDriver(options);
}

class LocalDesktopDriver implements DesktopDriver {
  readonly name = 'desktop';
  private readonly chromiumPath: string;
  private readonly settleTimeoutMs: number;
  // Promises rather than sessions, so two concurrent starts of one machine share one launch.
  private readonly sessions = new Map<string, Promise<DesktopSession>>();
  private readonly displays = new Map<string, number>();
  private readonly vncPorts = new Map<string, number>();
  private readonly owner: Promise<StateOwner> = currentOwner();
  private readonly users: MachineUsers;

  constructor(private readonly options: DesktopDriverOptions) {
    this.chromiumPath = options.chromiumPath ?? '/usr/lib/chromium/chromium';
    this.users =
      options.users ??
      new MachineUsers({ dataDir: join(options.stateDir, STANDALONE_HOMES), isolate: false });
    this.settleTimeoutMs = options.settleTimeoutMs ?? 3_000;
  }

  async start(spec: MachineSpec): Promise<void> {
    const existing = this.sessions.get(spec.id);
    if (existing !== undefined) {
      await existing;
      return;
    }

    const dir = machineDir(this.options.stateDir, spec.id);
    const launching = Promise.all([this.owner, this.users.ensure(spec.id)]).then(([owner, user]) =>
      DesktopSession.launch(spec, {
        chromiumPath: this.chromiumPath,
        dir,
        owner,
        user,
        binDir: this.users.binDir,
        homeDir: this.users.homeOf(spec.id),
      }),
    );
    this.sessions.set(spec.id, launching);

    try {
      const session = await launching;
      this.displays.set(spec.id, session.displayNumber);
      if (session.vncPort !== undefined) {
        this.vncPorts.set(spec.id, session.vncPort);
      }
      this.options.logger?.info(
        { machineId: spec.id, display: session.displayNumber },
        'desktop machine ready',
      );
    } catch (error) {
      if (this.sessions.get(spec.id) === launching) {
        this.sessions.delete(spec.id);
      }
      throw error;
    }
  }

  async destroy(machineId: string): Promise<void> {
    const launching = this.sessions.get(machineId);
    this.sessions.delete(machineId);
    this.displays.delete(machineId);
    this.vncPorts.delete(machineId);

    const session = await launching?.catch(() => undefined);
    if (session !== undefined) {
      await session.close();
      return;
    }

    // Not started by this instance: whatever a pid file names for it is still ours to end.
    const dir = machineDir(this.options.stateDir, machineId);
    const user = await this.users.ensure(machineId);
    await reapMachineDir(dir, await readState(dir), () => removeMachineDir(dir, user));
  }

  async open(machineId: string): Promise<Machine> {
    const launching = this.sessions.get(machineId);
    if (launching === undefined) {
      throw invalidState(`Machine '${machineId}' has not been started on the desktop driver.`);
    }
    return createDesktopMachine(await launching, this.settleTimeoutMs);
  }

  async close(): Promise<void> {
    const machineIds = [...this.sessions.keys()];
    await Promise.all(machineIds.map((machineId) => this.destroy(machineId)));
  }

  async reapOrphans(): Promise<ReapReport> {
    await mkdir(this.options.stateDir, { recursive: true });
    const machineIds: string[] = [];

    const dirs = await listMachineDirs(this.options.stateDir);
    await Promise.all(
      dirs.map(async (dir) => {
        const state = await readState(dir);
        const machineId = state?.machineId ?? basename(dir);
        if (
          this.sessions.has(machineId) ||
          (state !== undefined && (await ownedByOtherLiveProcess(state.owner)))
        ) {
          return;
        }
        await reapMachineDir(dir, state);
        machineIds.push(machineId);
      }),
    );

    if (machineIds.length > 0) {
      this.options.logger?.warn(
        { machineIds },
        'ended desktop machines a previous server left behind',
      );
    }
    return { machineIds };
  }

  profileDirOf(machineId: string): string {
    return join(machineDir(this.options.stateDir, machineId), 'profile');
  }

  vncPortOf(machineId: string): number | undefined {
    return this.vncPorts.get(machineId);
  }

  displayOf(machineId: string): string | undefined {
    const display = this.displays.get(machineId);
    return display === undefined ? undefined : `:${display}`;
  }
}
