import { describePage } from '../browser-commands/index.js';
import { listWindows, stackingOrder } from '../windows/index.js';
import type { PageView } from '../browser-commands/index.js';
import type { ScreenElement } from '../driver.js';
import type { WindowHost, WindowInfo } from '../windows/index.js';
import type { DesktopBrowser } from './desktop-browser.js';

/** Longest wait for the outline and elements; without them the screenshot remains. */
const PAGE_VIEW_TIMEOUT_MS = 2_000;

/**
 * The outline and elements of the page the desktop's browser shows, in screen pixels. An
 * element is kept only where its box's centre shows the browser: not under another window,
 * not off the screen, and none at all while the browser is minimised.
 */
export async function describeDesktopPage(
  browser: DesktopBrowser,
  windows: WindowHost,
  signal: AbortSignal,
): Promise<(PageView & { url: string }) | undefined> {
  const page = await browser.host.currentPage();
  const origin = await browser.host.viewportOrigin(page);
  const described = await describePage(page, origin, PAGE_VIEW_TIMEOUT_MS);
  if (described === undefined) {
    return undefined;
  }
  const view = { ...described, url: page.url() };

  const covering = await windowsAboveBrowser(windows, signal);
  if (covering === undefined) {
    return { ...view, elements: [] };
  }
  const { width, height } = windows.screen;
  const shows = (element: ScreenElement) => {
    const x = element.x + element.width / 2;
    const y = element.y + element.height / 2;
    return x >= 0 && y >= 0 && x < width && y < height && !covering.some((w) => inside(w, x, y));
  };
  return { ...view, elements: view.elements.filter(shows) };
}

/** The windows stacked above the topmost browser window; undefined when none shows. */
async function windowsAboveBrowser(
  host: WindowHost,
  signal: AbortSignal,
): Promise<WindowInfo[] | undefined> {
  const [stack, windows] = await Promise.all([
    stackingOrder(host, signal),
    listWindows(host, signal),
  ]);
  const shown = windows.filter((window) => !window.minimized);
  const byId = new Map(shown.map((window) => [window.window_id, window]));
  const ordered = stack.map((id) => byId.get(id)).filter((window) => window !== undefined);

  const browserAt = ordered.findLastIndex((window) => /chromium/i.test(window.class));
  if (browserAt < 0) {
    return undefined;
  }
  return ordered.slice(browserAt + 1);
}

function inside(window: WindowInfo, x: number, y: number): boolean {
  return (
    x >= window.x &&
    y >= window.y &&
    x < window.x + window.outer_width &&
    y < window.y + window.outer_height
  );
}
