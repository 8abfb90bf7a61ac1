import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { invalidState } from '../../errors/index.js';
import { MachineUsers } from '../users/index.js';
import { createBrowserMachine } from './browser-machine.js';
import { BrowserSession } from './browser-session.js';
import {
  PROFILE_DIR,
  endChromiums,
  launchMachineChromium,
  machineChromiums,
} from './chromium-process.js';
import type { Machine, MachineDriver, MachineSpec } from '../driver.js';
import type { BrowserMachineSettings } from './browser-machine.js';

/** Where degraded-but-handled trouble is reported; a pino logger fits. */
export interface BrowserDriverLogger {
  warn(obj: object, msg: string): void;
}

export interface BrowserDriverOptions {
  /**
   * The Chromium binary. Default `/usr/lib/chromium/chromium`, Debian's real binary
   * (`/usr/bin/chromium` is a shell wrapper that adds flags of its own).
   */
  executablePath?: string;
  /**
   * Each machine's user, home and directories. Default: machines sharing the server's user
   * in a fresh folder of the temp dir, removed by `close()`.
   */
  users?: MachineUsers;
  /** Longest wait for the screen to settle before an observation, in ms. Default 3000. */
  settleTimeoutMs?: number;
  /** Longest wait for a navigate action to reach DOMContentLoaded, in ms. Default 30000. */
  navigationTimeoutMs?: number;
  /** Longest wait for one screenshot, in ms. Default 10000. */
  screenshotTimeoutMs?: number;
  logger?: BrowserDriverLogger;
}

/** The headless driver, with the extra only it offers. */
export interface BrowserDriver extends MachineDriver {
  /**
   * Ends the Chromium processes running on a profile of this data dir that this driver did
   * not start (left by a crashed server). Call it at server start, before any `start`.
   */
  reapOrphans(): Promise<{ machineIds: string[] }>;
}

const DEFAULT_EXECUTABLE_PATH = '/usr/lib/chromium/chromium';

/**
 * A driver whose machines are headless Chromium pages. Each machine has a Chromium process
 * of its own, run as the machine's user on a persistent profile in the machine's directory,
 * so machines share no cookies, storage, cache or process.
 */
export function createBrowserDriver(options: BrowserDriverOptions = {}): BrowserDriver {
  return new LocalBrowserDriver(options);
}

class LocalBrowserDriver implements BrowserDriver {
  readonly name = 'browser';
  private readonly executablePath: string;
  private readonly settings: BrowserMachineSettings;
  private readonly logger: BrowserDriverLogger | undefined;
  private readonly users: MachineUsers;
  private readonly ownDataDir: string | undefined;
  // Promises rather than sessions, so two concurrent starts of one machine share one launch.
  private readonly sessions = new Map<string, Promise<BrowserSession>>();

  constructor(options: BrowserDriverOptions) {
    this.executablePath = options.executablePath ?? DEFAULT_EXECUTABLE_PATH;
    this.settings = {
      settleTimeoutMs: options.settleTimeoutMs ?? 3_000,
      navigationTimeoutMs: options.navigationTimeoutMs ?? 30_000,
      screenshotTimeoutMs: options.screenshotTimeoutMs ?? 10_000,
    };
    this.logger = options.logger;
    if (options.users === undefined) {
      this.ownDataDir = join(tmpdir(), `deskhand-browsers-${randomUUID()}`);
    }
    this.users = options.users ?? new MachineUsers({ dataDir: this.ownDataDir!, isolate: false });
  }

  async start(spec: MachineSpec): Promise<void> {
    if (this.sessions.has(spec.id)) {
      await this.sessions.get(spec.id);
      return;
    }

    const opening = this.launch(spec);
    this.sessions.set(spec.id, opening);

    try {
      await opening;
    } catch (error) {
      if (this.sessions.get(spec.id) === opening) {
        this.sessions.delete(spec.id);
      }
      throw error;
    }
  }

  /** Ends the machine's Chromium; its profile stays until the machine's directory goes. */
  async destroy(machineId: string): Promise<void> {
    const opening = this.sessions.get(machineId);
    this.sessions.delete(machineId);

    const session = await opening?.catch(() => undefined);
    await session?.close().catch((error: unknown) => {
      this.logger?.warn({ machineId, err: error }, 'closing the machine browser failed');
    });
  }

  /** The machine's persistent profile, kept across stop and start, for snapshots. */
  profileDirOf(machineId: string): string {
    return join(dirname(this.users.homeOf(machineId)), PROFILE_DIR);
  }

  async open(machineId: string): Promise<Machine> {
    const opening = this.sessions.get(machineId);
    if (opening === undefined) {
      throw invalidState(`Machine '${machineId}' has not been started on the browser driver.`);
    }

    return createBrowserMachine(await opening, this.settings);
  }

  async close(): Promise<void> {
    const machineIds = [...this.sessions.keys()];
    await Promise.all(machineIds.map((machineId) => this.destroy(machineId)));
    if (this.ownDataDir !== undefined) {
      await rm(this.ownDataDir, { recursive: true, force: true });
    }
  }

  async reapOrphans(): Promise<{ machineIds: string[] }> {
    const orphans = (await machineChromiums(this.users.machinesDir)).filter(
      ({ machineId }) => !this.sessions.has(machineId),
    );
    await endChromiums(orphans.map(({ pid }) => pid));
    return { machineIds: orphans.map(({ machineId }) => machineId) };
  }

  private async launch(spec: MachineSpec): Promise<BrowserSession> {
    const context = await launchMachineChromium(spec, this.users, this.executablePath);
    const session = await BrowserSession.open(context, spec);
    context.on('close', () => this.forget(spec.id, session));
    return session;
  }

  /** Drops a machine whose Chromium exited on its own; the next use starts it again. */
  private forget(machineId: string, session: BrowserSession): void {
    const current = this.sessions.get(machineId);
    void current?.then(
      (started) => {
        // destroy() removes the entry first, and a relaunch replaces it: only a crash gets here.
        if (started !== session || this.sessions.get(machineId) !== current) {
          return;
        }
        this.sessions.delete(machineId);
        this.logger?.warn({ machineId }, 'Chromium of the machine exited; it starts at next use');
      },
      () => undefined,
    );
  }
}
