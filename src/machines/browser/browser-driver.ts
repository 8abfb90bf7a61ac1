import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

import { invalidState } from '../../errors/index.js';
import { describePlaywrightError } from './browser-actions.js';
import { createBrowserMachine } from './browser-machine.js';
import { BrowserSession } from './browser-session.js';
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
  /** Longest wait for the screen to settle before an observation, in ms. Default 3000. */
  settleTimeoutMs?: number;
  /** Longest wait for a navigate action to reach DOMContentLoaded, in ms. Default 30000. */
  navigationTimeoutMs?: number;
  /** Longest wait for one screenshot, in ms. Default 10000. */
  screenshotTimeoutMs?: number;
  logger?: BrowserDriverLogger;
}

const DEFAULT_EXECUTABLE_PATH = '/usr/lib/chromium/chromium';

// Headless without a GPU or sandbox (containers rarely allow one), and none of the
// background traffic a desktop Chromium sends to Google on its own.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-domain-reliability',
  '--no-pings',
  '--disable-quic',
];

/**
 * A driver whose machines are headless Chromium pages. One browser process, launched on the
 * first `start`, serves every machine; each machine is a browser context of its own.
 */
export function createBrowserDriver(options: BrowserDriverOptions = {}): MachineDriver {
  return new BrowserDriver(options);
}

class BrowserDriver implements MachineDriver {
  readonly name = 'browser';
  private readonly executablePath: string;
  private readonly settings: BrowserMachineSettings;
  private readonly logger: BrowserDriverLogger | undefined;
  private browser: Promise<Browser> | undefined;
  // Promises rather than sessions, so two concurrent starts of one machine share one context.
  private readonly sessions = new Map<string, Promise<BrowserSession>>();

  constructor(options: BrowserDriverOptions) {
    this.executablePath = options.executablePath ?? DEFAULT_EXECUTABLE_PATH;
    this.settings = {
      settleTimeoutMs: options.settleTimeoutMs ?? 3_000,
      navigationTimeoutMs: options.navigationTimeoutMs ?? 30_000,
      screenshotTimeoutMs: options.screenshotTimeoutMs ?? 10_000,
    };
    this.logger = options.logger;
  }

  async start(spec: MachineSpec): Promise<void> {
    if (this.sessions.has(spec.id)) {
      await this.sessions.get(spec.id);
      return;
    }

    const opening = this.launch().then((browser) => BrowserSession.open(browser, spec));
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

  async destroy(machineId: string): Promise<void> {
    const opening = this.sessions.get(machineId);
    this.sessions.delete(machineId);

    const session = await opening?.catch(() => undefined);
    await session?.close().catch((error: unknown) => {
      this.logger?.warn({ machineId, err: error }, 'closing the browser context failed');
    });
  }

  async open(machineId: string): Promise<Machine> {
    const opening = this.sessions.get(machineId);
    if (opening === undefined) {
      throw invalidState(`Machine '${machineId}' has not been started on the browser driver.`);
    }

    return createBrowserMachine(await opening, this.settings);
  }

  async close(): Promise<void> {
    const launching = this.browser;
    this.browser = undefined;
    this.sessions.clear();

    const browser = await launching?.catch(() => undefined);
    await browser?.close();
  }

  /** The shared browser, launched on first use and again after it went away. */
  private launch(): Promise<Browser> {
    if (this.browser === undefined) {
      const launching = this.launchChromium();
      this.browser = launching;
      launching.catch(() => {
        // A failed launch is retried by the next start rather than remembered.
        if (this.browser === launching) {
          this.browser = undefined;
        }
      });
    }
    return this.browser;
  }

  private async launchChromium(): Promise<Browser> {
    const executablePath = this.executablePath;

    const browser = await chromium
      .launch({ executablePath, args: CHROMIUM_ARGS })
      .catch((error: unknown) => {
        const reason = describePlaywrightError(error);
        throw new Error(`Chromium failed to start from ${executablePath}: ${reason}`, {
          cause: error,
        });
      });

    browser.on('disconnected', () => this.forget(browser));
    return browser;
  }

  /** Drops a browser that exited; its machines went with it and must be started again. */
  private forget(browser: Browser): void {
    const current = this.browser;

    void current?.then(
      (launched) => {
        // close() clears the field first, and a relaunch replaces it: only a crash gets here.
        if (launched !== browser || this.browser !== current) {
          return;
        }
        this.browser = undefined;
        const machineIds = [...this.sessions.keys()];
        this.sessions.clear();
        this.logger?.warn({ machineIds }, 'Chromium exited; its machines are gone');
      },
      () => undefined,
    );
  }
}
