import type { BrowserContext, Page } from 'playwright-core';

import type { MachineSpec } from '../driver.js';

/**
 * One machine's browser: a Chromium process of its own on a persistent profile (cookies,
 * storage and cache apart from every other machine), and the page its screen shows.
 *
 * A page the site opens itself (a link with target=_blank, window.open) becomes the screen,
 * as the newest tab would in a desktop browser; when it closes, the previous page is shown
 * again. The context's viewport applies to every page, so the screen size never changes.
 */
export class BrowserSession {
  private readonly pages: Page[] = [];

  private constructor(
    readonly spec: MachineSpec,
    readonly context: BrowserContext,
  ) {
    context.pages().forEach((page) => this.track(page));
    context.on('page', (page) => this.track(page));
  }

  /** Takes over a launched context and makes sure it shows a page; closes it on failure. */
  static async open(context: BrowserContext, spec: MachineSpec): Promise<BrowserSession> {
    try {
      const session = new BrowserSession(spec, context);
      await session.currentPage();
      return session;
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  /** The page on screen; a fresh blank page when the site closed every page it had. */
  async currentPage(): Promise<Page> {
    // LIMITATION: Playwright reports a new tab only after it has set the tab up, a few tens of ms
    // after the click that opened it; an observation in that gap still shows the opener. Waiting
    // for pending popups of the current page (CDP Target.targetCreated) would close the gap.
    const page = this.pages.at(-1);
    if (page !== undefined && !page.isClosed()) {
      return page;
    }

    const created = await this.context.newPage();
    this.track(created);
    return created;
  }

  /** Puts an open page of this machine on screen, as switching to its tab would. */
  async select(page: Page): Promise<void> {
    this.track(page);
    this.pages.splice(this.pages.indexOf(page), 1);
    this.pages.push(page);
    await page.bringToFront();
  }

  /** Closes the context, and with it the machine's Chromium. */
  async close(): Promise<void> {
    await this.context.close();
  }

  private track(page: Page): void {
    // The 'page' event and newPage() both report a page this driver opened; keep one entry.
    if (this.pages.includes(page)) {
      return;
    }

    this.pages.push(page);
    page.once('close', () => {
      const index = this.pages.indexOf(page);
      if (index >= 0) {
        this.pages.splice(index, 1);
      }
    });
  }
}
