import type { Page } from 'playwright-core';

import { withTimeout } from '../browser/abort.js';
import type { ScreenElement } from '../driver.js';
import { onScreen, pageElements, toScreenElements } from './page-elements.js';
import type { ScreenOffset } from './browser-host.js';

/** What a model reads besides the screenshot: an outline and the boxes of what it can use. */
export interface PageView {
  accessibilityTree: string;
  elements: ScreenElement[];
}

/** Beyond this the outline is cut; a model's context is better spent on the screenshot. */
const maxOutlineCharacters = 20_000;

/**
 * The page's accessibility tree as an indented outline (`- button "Sign Up"`) and its visible
 * interactive elements in screen pixels. Undefined when the page cannot be read in time (it
 * is navigating, or a dialog blocks it): an observation then carries the screenshot alone.
 */
export async function describePage(
  page: Page,
  origin: ScreenOffset,
  timeoutMs: number,
): Promise<PageView | undefined> {
  const reading = Promise.all([page.ariaSnapshot({ timeout: timeoutMs }), pageElements(page)]);
  // A page script stuck in a loop would hold the evaluation forever: the bound answers instead.
  const read = await withTimeout(reading, timeoutMs, undefined).catch(() => undefined);
  if (read === undefined) {
    return undefined;
  }
  const [outline, elements] = read;
  return {
    accessibilityTree: capOutline(outline),
    elements: toScreenElements(onScreen(elements, origin)),
  };
}

function capOutline(outline: string): string {
  if (outline.length <= maxOutlineCharacters) {
    return outline;
  }
  const cut = outline.lastIndexOf('\n', maxOutlineCharacters);
  return `${outline.slice(0, cut > 0 ? cut : maxOutlineCharacters)}\n- (outline cut here)`;
}
