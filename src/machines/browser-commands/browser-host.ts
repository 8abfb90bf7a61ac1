import type { BrowserContext, Page } from 'playwright-core';

/** A point on the screen, in screen pixels. */
export interface ScreenOffset {
  x: number;
  y: number;
}

/**
 * A machine's browser as the DOM-level commands need it: the Playwright context and which of
 * its pages is on screen. Any launch (a shared headless browser, one per machine, a headful
 * one on an X display over a pipe) can offer it.
 */
export interface BrowserHost {
  readonly context: BrowserContext;
  /** The page on screen; a fresh blank one when every tab was closed. */
  currentPage(): Promise<Page>;
  /** Puts the page on screen, as clicking its tab would. */
  select(page: Page): Promise<void>;
  /**
   * Where the page's viewport origin sits on the screen: (0, 0) for a headless page whose
   * viewport is the screen, the window's position plus the toolbar's height on a desktop.
   */
  viewportOrigin(page: Page): Promise<ScreenOffset>;
  /** Longest wait for a page to load, in ms. */
  readonly navigationTimeoutMs: number;
  /** Starts the browser again if it was closed; left out where it cannot close. */
  reopen?(): Promise<void>;
}

/** The tabs in the order they opened, as a tab strip shows them. */
export function tabsOf(host: BrowserHost): Page[] {
  return host.context.pages().filter((page) => !page.isClosed());
}

/** One tab as the API reports it. */
export async function describeTab(page: Page, index: number, active: boolean) {
  const title = await page.title().catch(() => '');
  return { index, url: page.url(), title, active };
}
