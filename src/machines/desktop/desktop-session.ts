/**
 * One running desktop machine: an X display with openbox, an xterm and a headful Chromium,
 * each in its own process group, recorded in the machine's pid file as they start.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { launchDesktopBrowser } from './desktop-browser.js';
import { startDisplay, stopDisplay } from './display.js';
import { writeState } from './machine-state.js';
import { killGroup, sleep, spawnGroup } from './processes.js';
import { runTool } from './run-tool.js';
import type { MachineSpec } from '../driver.js';
import type { DesktopBrowser } from './desktop-browser.js';
import type { XDisplay } from './display.js';
import type { MachineState, StateOwner } from './machine-state.js';
import type { GroupProcess, MachineEnv } from './processes.js';

export interface SessionSettings {
  chromiumPath: string;
  /** `<stateDir>/<machineId>`: home, browser profile and pid file live here. */
  dir: string;
  owner: StateOwner;
}

// Everything a machine's programs may see; the server's environment (and its secrets) stays out.
const MACHINE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const WINDOW_MANAGER_TIMEOUT_MS = 5_000;
const CHROMIUM_WINDOW_TIMEOUT_MS = 30_000;
const NAVIGATION_TIMEOUT_MS = 30_000;

export class DesktopSession {
  private readonly processes: GroupProcess[] = [];
  private display: XDisplay | undefined;
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

  /** The environment X tools run with to reach this machine's display. */
  get env(): MachineEnv {
    const home = join(this.settings.dir, 'home');
    return {
      PATH: MACHINE_PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      DISPLAY: `:${this.displayNumber}`,
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
    await rm(this.settings.dir, { recursive: true, force: true });
  }

  private async startAll(): Promise<void> {
    const { dir } = this.settings;
    await mkdir(join(dir, 'home'), { recursive: true, mode: 0o700 });
    await this.saveState();

    const { screenWidth: width, screenHeight: height } = this.spec;
    this.display = await startDisplay(width, height, { PATH: MACHINE_PATH });
    await this.saveState();

    await this.startProcess('openbox', 'openbox', []);
    await this.waitFor('openbox', WINDOW_MANAGER_TIMEOUT_MS, () => this.windowManagerRuns());

    // The terminal starts first so the browser opens above it and holds the focus.
    await this.startProcess('xterm', 'xterm', ['-geometry', '100x30+40+40']);
    await this.openBrowser();
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
    const browser = await launchDesktopBrowser({
      chromiumPath: this.settings.chromiumPath,
      profileDir: join(this.settings.dir, 'profile'),
      env: this.env,
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
    await this.waitFor('chromium', CHROMIUM_WINDOW_TIMEOUT_MS, () => this.chromiumWindowShown());
    return browser;
  }

  private async startProcess(name: string, command: string, args: string[]): Promise<void> {
    const started = await spawnGroup(name, command, args, this.env);
    this.processes.push(started);
    await this.saveState();
  }

  private async waitFor(
    name: string,
    timeoutMs: number,
    ready: () => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const started = this.processes.find((candidate) => candidate.record.name === name);

    while (Date.now() < deadline) {
      if (started?.child.exitCode !== null && started?.child.exitCode !== undefined) {
        const stderr = started.stderrTail().split('\n').filter(Boolean).at(-1) ?? 'no message';
        throw new Error(
          `${name} exited with status ${started.child.exitCode} ` +
            `on display :${this.displayNumber}: ${stderr}`,
        );
      }
      if (await ready()) {
        return;
      }
      await sleep(100);
    }
    throw new Error(
      `${name} did not come up on display :${this.displayNumber} within ${timeoutMs} ms`,
    );
  }

  /** openbox sets _NET_SUPPORTING_WM_CHECK on the root window once it manages the screen. */
  private async windowManagerRuns(): Promise<boolean> {
    const result = await runTool('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], {
      env: this.env,
      timeoutMs: 2_000,
    });
    return result.code === 0 && result.stdout.toString().includes('window id');
  }

  private async chromiumWindowShown(): Promise<boolean> {
    const result = await runTool('xdotool', ['search', '--onlyvisible', '--class', 'chromium'], {
      env: this.env,
      timeoutMs: 2_000,
    });
    return result.code === 0 && result.stdout.toString().trim() !== '';
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
