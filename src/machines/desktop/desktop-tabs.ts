import type { BrowserContext, Page } from 'playwright-core';

import type { BrowserHost, ScreenOffset } from '../browser-commands/index.js';

/** The titles of the browser's windows on the display, such as `Sign up - Chromium`. */
export type WindowTitles = () => Promise<string[]>;

/**
 * Which tab of a headful browser is on screen. Playwright keeps every tab "visible" to its
 * pages, so the tab is followed instead: one the server selects or the browser opens becomes
 * current, and the window's title (the shown tab's title) settles which one a person's click
 * on the tab strip brought up.
 */
export class DesktopTabs implements BrowserHost {
  private current: Page | undefined;

  constructor(
    readonly context: BrowserContext,
    readonly navigationTimeoutMs: number,
    private readonly windowTitles: WindowTitles,
  ) {
    this.current = context.pages()[0];
    context.on('page', (page) => {
      this.current = page;
    });
  }

  async currentPage(): Promise<Page> {
    const pages = this.context.pages().filter((page) => !page.isClosed());
    if (pages.length === 0) {
      this.current = await this.context.newPage();
      return this.current;
    }

    const shown = await this.titledAsWindow(pages);
    const tracked = this.current !== undefined && pages.includes(this.current);
    if (tracked && (shown.length === 0 || shown.includes(this.current!))) {
      return this.current!;
    }
    // LIMITATION: two tabs with one title cannot be told apart by the window title; a tab
    // switched to on screen among them keeps the last one known. The tab strip's accessibility
    // tree (not reachable over CDP) would settle it.
    this.current = shown[0] ?? pages.at(-1)!;
    return this.current;
  }

  async select(page: Page): Promise<void> {
    await page.bringToFront();
    this.current = page;
  }

  viewportOrigin(page: Page): Promise<ScreenOffset> {
    return viewportOrigin(page);
  }

  /** The pages whose title is the one a browser window shows. */
  private async titledAsWindow(pages: Page[]): Promise<Page[]> {
    const titles = new Set(
      (await this.windowTitles().catch(() => [])).map((title) => title.replace(/ - Chromium$/, '')),
    );
    const matching: Page[] = [];
    for (const page of pages) {
      const title = await page.title().catch(() => undefined);
      if (title !== undefined && title !== '' && titles.has(title)) {
        matching.push(page);
      }
    }
    return matching;
  }
}

/**
 * The window's position on the screen plus the browser's own toolbar above the page: the tab
 * strip and address bar take the difference between the window's outer and inner heights.
 */
async function viewportOrigin(page: Page): Promise<ScreenOffset> {
  return page.evaluate(() => {
    const win = globalThis as any;
    const side = Math.max(0, Math.round((win.outerWidth - win.innerWidth) / 2));
    return {
      x: Math.round(win.screenX) + side,
      y: Math.round(win.screenY) + Math.max(0, win.outerHeight - win.innerHeight - side),
    };
  });
}
