import { z } from 'zod';
import type { Page } from 'playwright-core';

import { BrowserCommandFailure, goTo, webUrl } from './browser-command.js';
import { describeTab, tabsOf } from './browser-host.js';
import type { BrowserCommand } from './browser-command.js';
import type { BrowserHost } from './browser-host.js';

const tabIndex = z.number().int().min(0).max(1000);

/** Commands on the browser's tabs and on the browser as a whole. */
export const tabCommands: Record<string, BrowserCommand> = {
  browser_list_tabs: {
    parameters: z.object({}),
    run: async (host) => {
      const current = await host.currentPage();
      const tabs = tabsOf(host);
      return {
        tabs: await Promise.all(tabs.map((page, i) => describeTab(page, i, page === current))),
        active_index: tabs.indexOf(current),
      };
    },
  },
  browser_open_tab: {
    parameters: z.object({ url: webUrl.optional() }),
    run: async (host, p) => {
      const page = await host.context.newPage();
      await host.select(page);
      if (p.url !== undefined) {
        await goTo(page, p.url, host.navigationTimeoutMs);
      }
      return { tab: await describeTab(page, tabsOf(host).indexOf(page), true) };
    },
  },
  browser_switch_tab: {
    parameters: z.object({ index: tabIndex }),
    run: async (host, p) => {
      const page = tabAt(host, p.index);
      await host.select(page);
      return { tab: await describeTab(page, p.index, true) };
    },
  },
  browser_close_tab: {
    parameters: z.object({ index: tabIndex.optional() }),
    run: async (host, p) => {
      const current = await host.currentPage();
      const page = p.index === undefined ? current : tabAt(host, p.index);
      const closedIndex = tabsOf(host).indexOf(page);
      await keepOneTab(host, [page]);
      await page.close();
      const shown = await host.currentPage();
      await host.select(shown);
      return {
        closed_index: closedIndex,
        tab: await describeTab(shown, tabsOf(host).indexOf(shown), true),
      };
    },
  },
  browser_close: {
    parameters: z.object({}),
    run: async (host) => {
      // The machine keeps a browser: closing every tab leaves a blank one, as a restart would.
      const tabs = tabsOf(host);
      const blank = await keepOneTab(host, tabs);
      await Promise.all(tabs.map((page) => page.close()));
      await host.select(blank);
      return { closed_tabs: tabs.length, tab: await describeTab(blank, 0, true) };
    },
  },
};

/**
 * Opens a blank tab first when `closing` are all the tabs there are: a desktop browser whose
 * last window closes would quit, and the machine would be left without one.
 */
async function keepOneTab(host: BrowserHost, closing: Page[]): Promise<Page> {
  const remaining = tabsOf(host).filter((page) => !closing.includes(page));
  return remaining[0] ?? (await host.context.newPage());
}

function tabAt(host: BrowserHost, index: number) {
  const tabs = tabsOf(host);
  const page = tabs[index];
  if (page === undefined) {
    throw new BrowserCommandFailure(
      `There is no tab ${index}; the browser has ${tabs.length} (indexes from 0).`,
    );
  }
  return page;
}
