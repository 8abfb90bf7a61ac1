import type { Page } from 'playwright-core';

import { withTimeout } from './abort.js';

/** Consecutive animation frames without change that count as a settled screen. */
const QUIET_FRAMES = 2;

/** The few page globals the settle check touches; the project compiles without the DOM lib. */
interface PageGlobals {
  document: {
    documentElement: { scrollWidth: number; scrollHeight: number };
    getAnimations(): Array<{
      playState: string;
      effect: { getComputedTiming(): { endTime?: number | string } } | null;
    }>;
  };
  scrollX: number;
  scrollY: number;
  MutationObserver: new (callback: () => void) => {
    observe(target: unknown, options: Record<string, boolean>): void;
    disconnect(): void;
  };
  requestAnimationFrame(callback: () => void): number;
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(timer: number): void;
}

/**
 * Runs in the page. Resolves true once `quietNeeded` animation frames in a row saw no DOM
 * mutation, no change of the document's scroll size or position, and no running finite
 * animation or transition; resolves false when `timeoutMs` runs out first.
 *
 * Infinite animations (spinners, pulsing dots) are ignored: they never end, so waiting for
 * them would only make every observation of such a page take the whole bound.
 */
function quietFrames(page: PageGlobals, quietNeeded: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const { document } = page;
    const root = document.documentElement;
    const layout = (): string =>
      `${root.scrollWidth}x${root.scrollHeight}@${page.scrollX},${page.scrollY}`;
    const animating = (): boolean =>
      document
        .getAnimations()
        .some(
          (animation) =>
            animation.playState === 'running' &&
            animation.effect?.getComputedTiming().endTime !== Infinity,
        );
    let changed = false;
    let quiet = 0;
    let lastLayout = layout();

    const observer = new page.MutationObserver(() => {
      changed = true;
    });
    const finish = (result: boolean): void => {
      page.clearTimeout(timer);
      observer.disconnect();
      resolve(result);
    };
    const timer = page.setTimeout(() => finish(false), timeoutMs);

    const onFrame = (): void => {
      const currentLayout = layout();
      const still = !changed && currentLayout === lastLayout && !animating();
      changed = false;
      lastLayout = currentLayout;
      quiet = still ? quiet + 1 : 0;
      if (quiet >= quietNeeded) {
        finish(true);
      } else {
        page.requestAnimationFrame(onFrame);
      }
    };

    observer.observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
    page.requestAnimationFrame(onFrame);
  });
}

// Only this source text reaches the page, so quietFrames may refer to nothing outside itself.
const QUIET_FRAMES_SOURCE = quietFrames.toString();

/**
 * Waits, at most `timeoutMs`, until the page has parsed its document and its screen stopped
 * changing. Returns false when the bound ran out first; never throws for page trouble, since
 * a screenshot of an unsettled page is still worth taking.
 */
export async function waitForSettledScreen(page: Page, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;

  // A navigation destroys the document being watched; watch the next one until the bound.
  for (;;) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0 || page.isClosed()) {
      return false;
    }

    const loaded = await page.waitForLoadState('domcontentloaded', { timeout: remainingMs }).then(
      () => true,
      () => false,
    );
    if (!loaded) {
      return false;
    }

    const outcome = await watchFrames(page, deadline - Date.now());
    if (outcome !== 'navigated') {
      return outcome === 'settled';
    }
  }
}

type WatchOutcome = 'settled' | 'busy' | 'navigated';

async function watchFrames(page: Page, timeoutMs: number): Promise<WatchOutcome> {
  const expression = `(${QUIET_FRAMES_SOURCE})(window, ${QUIET_FRAMES}, ${Math.max(0, timeoutMs)})`;

  const watching = page.evaluate(expression).then(
    (result): WatchOutcome => (result === true ? 'settled' : 'busy'),
    (error: unknown): WatchOutcome => (isNavigationError(error) ? 'navigated' : 'busy'),
  );

  // A page stuck in a script never answers the evaluation; the bound still holds.
  return withTimeout(watching, timeoutMs + 50, 'busy');
}

function isNavigationError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /context was destroyed|navigat/i.test(message);
}
