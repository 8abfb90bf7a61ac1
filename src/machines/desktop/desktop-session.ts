/**
 * One running desktop machine: an X display with openbox, an xterm and a headful Chromium,
 * each in its own process group, recorded in the machine's pid file as they start.
 */
import { join } from 'node:path';

import { runAsWrapper } from '../users/index.js';
import { launchDesktopBrowser } from './desktop-browser.js';
import { startDisplay, stopDisplay } from './display.js';
import { writeState } from './machine-state.js';
import { makeMachineDirs, removeMachineDir } from './machine-dir.js';
import { killGroup, sleep, spawnGroup } from './processes.js';
import { startVncServer } from './vnc-server.js';
import { chromiumWindowShown, waitForProgram, windowManagerRuns } from './window-readiness.js';
import type { MachineSpec } from '../driver.js';
import type { MachineUser } from '../users/index.js';
import type { DesktopBrowser } from './desktop-browser.js';
import type { XDisplay } from './display.js';
import type { MachineState, StateOwner } from './machine-state.js';
import type { GroupProcess, MachineEnv } from './processes.js';

export interface SessionSettings {
  chromiumPath: string;
  /** `<stateDir>/<machineId>`: home, browser profile and pid file live here. */
  dir: string;
  owner: StateOwner;
  /** Who openbox, the xterm and Chromium run as; Xvfb stays the server's. */
  user: MachineUser;
  /** Where the wrapper that starts a program as the machine's user is kept (root's). */
  binDir: string;
  /**
   * The machine's home, the same one its terminal and file commands use, so what a desktop
   * application saves there is what the API reads; it outlives the desktop.
   */
  homeDir: string;
}

// Everything a machine's programs may see; the server's environment (and its secrets) stays out.
const MACHINE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const WINDOW_MANAGER_TIMEOUT_MS = 5_000;
const CHROMIUM_WINDOW_TIMEOUT_MS = 30_000;
const NAVIGATION_TIMEOUT_MS = 30_000;

export class DesktopSession {
  private readonly processes: GroupProcess[] = [];
  private display: XDisplay | undefined;
  private vnc: { port: number } | undefined;
  private desktopBrowser: DesktopBrowser | undefined;
  private browserLaunch: Promise<DesktopBrowser> | undefined;

  private constructor(
    readonly spec: MachineSpec,
    private readonly settings: SessionSettings,
  ) {}

  /** Starts every process of the machine; on failure stops what started and removes the dir. */
  static async launch(spec: MachineSpec, settings: SessionSettings): Promise<DesktopSession> {
    const session = new DesktopSession(spec, settings);
    try {
      await session.startAll();
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  get displayNumber(): number {
    return this.display?.number ?? -1;
  }

  /** The loopback port of the machine's VNC server; undefined when it has none. */
  get vncPort(): number | undefined {
    return this.vnc?.port;
  }

  /** Where Chromium keeps this machine's profile. */
  get profileDir(): string {
    return join(this.settings.dir, 'profile');
  }

  /** The display's cookie, which the machine's user and the server can read. */
  private get xauthorityPath(): string {
    return join(this.settings.dir, 'xauthority');
  }

  /** The environment X tools run with to reach this machine's display. */
  get env(): MachineEnv {
    const home = this.settings.homeDir;
    return {
      PATH: MACHINE_PATH,
      HOME: home,
      USER: this.settings.user.name,
      LANG: 'C.UTF-8',
      DISPLAY: `:${this.displayNumber}`,
      XAUTHORITY: this.xauthorityPath,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
    };
  }

  /** The browser on the display, under Playwright's control for DOM-level commands. */
  get browser(): DesktopBrowser | undefined {
    return this.desktopBrowser;
  }

  /** Stops every process group, newest first, then removes the display files and the dir. */
  async close(): Promise<void> {
    const browser = this.desktopBrowser;
    this.desktopBrowser = undefined;
    if (browser !== undefined) {
      // Playwright ends its pipe and the browser; the group kill below is the backstop.
      await Promise.race([browser.context.close().catch(() => undefined), sleep(2_000)]);
      await killGroup(browser.record.pid);
    }
    const processes = this.processes.splice(0).reverse();
    await Promise.all(processes.map((started) => killGroup(started.record.pid)));

    if (this.display !== undefined) {
      await stopDisplay(this.display);
      this.display = undefined;
    }
    await removeMachineDir(this.settings.dir, this.settings.user);
  }

  private async startAll(): Promise<void> {
    const { dir, homeDir, user } = this.settings;
    await makeMachineDirs({ dir, homeDir, user, xauthorityPath: this.xauthorityPath });
    await this.saveState();

    const { screenWidth: width, screenHeight: height } = this.spec;
    const env = { PATH: MACHINE_PATH, XAUTHORITY: this.xauthorityPath };
    this.display = await startDisplay(width, height, env);
    await this.saveState();

    await this.startProcess('openbox', 'openbox', []);
    await this.waitFor('openbox', WINDOW_MANAGER_TIMEOUT_MS, () => windowManagerRuns(this.env));

    // The terminal starts first so the browser opens above it and holds the focus.
    await this.startProcess('xterm', 'xterm', ['-geometry', '100x30+40+40']);
    await this.openBrowser();

    if (this.spec.vncPassword !== undefined) {
      const vnc = await startVncServer(
        this.displayNumber,
        this.spec.vncPassword,
        this.settings.dir,
        this.env,
      );
      this.processes.push(vnc.process);
      this.vnc = { port: vnc.port };
      await this.saveState();
    }
  }

  /** The browser, started again when it was closed (its last window, or a crash). */
  async openBrowser(): Promise<DesktopBrowser> {
    if (this.desktopBrowser !== undefined) {
      return this.desktopBrowser;
    }
    if (this.display === undefined) {
      throw new Error(`The desktop of machine ${this.spec.id} is not running.`);
    }
    this.browserLaunch ??= this.launchBrowser().finally(() => {
      this.browserLaunch = undefined;
    });
    return this.browserLaunch;
  }

  private async launchBrowser(): Promise<DesktopBrowser> {
    const { binDir, chromiumPath, dir, user } = this.settings;
    // Through the wrapper that drops to the machine's user, keeping Playwright's pipe.
    const runAs = await runAsWrapper(binDir, chromiumPath, user);
    const browser = await launchDesktopBrowser({
      chromiumPath: runAs.executablePath,
      profileDir: join(dir, 'profile'),
      artifactsDir: join(dir, 'browser-artifacts'),
      env: { ...this.env, ...runAs.env },
      width: this.spec.screenWidth,
      height: this.spec.screenHeight,
      navigationTimeoutMs: NAVIGATION_TIMEOUT_MS,
    });
    this.desktopBrowser = browser;
    browser.context.on('close', () => {
      // Closed from the screen or crashed: the machine goes on without it until browser_open.
      if (this.desktopBrowser === browser) {
        this.desktopBrowser = undefined;
        void this.saveState().catch(() => undefined);
      }
    });
    await this.saveState();
    await this.waitFor('chromium', CHROMIUM_WINDOW_TIMEOUT_MS, () => chromiumWindowShown(this.env));
    return browser;
  }

  private async startProcess(name: string, command: string, args: string[]): Promise<void> {
    const { user } = this.settings;
    const runAs = user.isolated ? { uid: user.uid, gid: user.gid } : {};
    const started = await spawnGroup(name, command, args, this.env, {
      ...runAs,
      cwd: this.settings.homeDir,
    });
    this.processes.push(started);
    await this.saveState();
  }

  private async waitFor(
    name: string,
    timeoutMs: number,
    ready: () => Promise<boolean>,
  ): Promise<void> {
    const started = this.processes.find((candidate) => candidate.record.name === name);
    await waitForProgram(name, started, this.displayNumber, timeoutMs, ready);
  }

  private saveState(): Promise<void> {
    const state: MachineState = {
      version: 1,
      machineId: this.spec.id,
      display: this.display?.number,
      owner: this.settings.owner,
      processes: [
        ...(this.display === undefined ? [] : [this.display.xvfb.record]),
        ...this.processes.map((started) => started.record),
        ...(this.desktopBrowser === undefined ? [] : [this.desktopBrowser.record]),
      ],
    };
    return writeState(this.settings.dir, state);
  }
}
