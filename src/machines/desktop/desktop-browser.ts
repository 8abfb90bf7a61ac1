/**
 * The desktop's Chromium, launched through Playwright over a pipe (`--remote-debugging-pipe`):
 * no debugging port is opened, so no other process on the host can drive it, while the server
 * reads its DOM and tabs like a headless machine's. It shows on the machine's X display.
 */
import { readdir, readFile } from 'node:fs/promises';

import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

import { DesktopTabs } from './desktop-tabs.js';
import { readStartTicks } from './processes.js';
import { runTool } from './run-tool.js';
import type { BrowserHost } from '../browser-commands/index.js';
import type { WindowTitles } from './desktop-tabs.js';
import type { MachineEnv, ProcessRecord } from './processes.js';

export interface DesktopBrowserOptions {
  chromiumPath: string;
  profileDir: string;
  /** Playwright's own files for this browser; kept with the machine, not in the temp dir. */
  artifactsDir: string;
  env: MachineEnv;
  width: number;
  height: number;
  /** Longest wait for a page to load, in ms. */
  navigationTimeoutMs: number;
}

export interface DesktopBrowser {
  context: BrowserContext;
  /** The browser's main process, which leads its own process group, for the pid file. */
  record: ProcessRecord;
  host: BrowserHost;
}

const LAUNCH_TIMEOUT_MS = 30_000;

export async function launchDesktopBrowser(
  options: DesktopBrowserOptions,
): Promise<DesktopBrowser> {
  const context = await chromium.launchPersistentContext(options.profileDir, {
    executablePath: options.chromiumPath,
    artifactsDir: options.artifactsDir,
    headless: false,
    env: options.env,
    // The window's size is the page's, as on a person's desktop.
    viewport: null,
    timeout: LAUNCH_TIMEOUT_MS,
    // The "controlled by automated test software" bar would push every page down.
    ignoreDefaultArgs: ['--enable-automation'],
    args: [
      // Without --test-type a warning bar about --no-sandbox pushes the page down 56 px.
      '--test-type',
      '--no-default-browser-check',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--disable-domain-reliability',
      '--no-pings',
      '--window-position=0,0',
      `--window-size=${options.width},${options.height}`,
      '--start-maximized',
    ],
  });

  try {
    const pid = await browserPid(options.profileDir);
    const record = { name: 'chromium', pid, startTicks: (await readStartTicks(pid)) ?? 0 };
    const titles = chromiumWindowTitles(options.env);
    const host = new DesktopTabs(context, options.navigationTimeoutMs, titles);
    return { context, record, host };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Playwright spawns Chromium as a direct child of this process, leading its own process group;
 * its profile directory tells it apart from other machines' browsers.
 */
async function browserPid(profileDir: string): Promise<number> {
  const wanted = `--user-data-dir=${profileDir}`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== process.pid) {
      continue;
    }
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.includes(wanted)) {
      return Number(entry);
    }
  }
  throw new Error(`Chromium started, but no process of this server runs with ${wanted}`);
}

/** The titles of the browser's shown windows (its helper windows are never mapped). */
function chromiumWindowTitles(env: MachineEnv): WindowTitles {
  return async () => {
    const args = ['search', '--onlyvisible', '--class', 'chromium', 'getwindowname', '%@'];
    const result = await runTool('xdotool', args, { env, timeoutMs: 2_000 });
    return result.stdout.toString('utf8').split('\n').filter(Boolean);
  };
}
