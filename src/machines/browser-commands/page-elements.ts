import type { Page } from 'playwright-core';

import { elementsOfFrame, maxPageElements } from './frame-elements.js';
import type { ScreenElement } from '../driver.js';
import type { ScreenOffset } from './browser-host.js';

/** A visible interactive element of a page, its box in viewport pixels (integers). */
export interface PageElement extends ScreenElement {
  /** The element's tag name, lower case. */
  tag: string;
  /** A link's target, when it is one. */
  href?: string;
}

/**
 * The visible, interactive elements of the page (links, buttons, text boxes, checkboxes,
 * selects, anything with a click handler or a widget role), in document order, with integer
 * boxes in viewport pixels clipped to the viewport.
 *
 * An element is listed only if a click at its box's centre lands on it (or on something
 * inside it, or on its label): covered and off-screen elements are left out, so a caller
 * that clicks the centre of a listed box always hits the element it was told about. Elements
 * of iframes are listed too, where the iframe shows them.
 */
export async function pageElements(page: Page): Promise<PageElement[]> {
  return (await elementsOfFrame(page.mainFrame(), 0)).slice(0, maxPageElements);
}

/** The page's elements moved by the viewport's origin on the screen. */
export function onScreen(elements: PageElement[], origin: ScreenOffset): PageElement[] {
  if (origin.x === 0 && origin.y === 0) {
    return elements;
  }
  return elements.map((element) => ({
    ...element,
    x: element.x + origin.x,
    y: element.y + origin.y,
  }));
}

/** The fields of a ScreenElement alone, for observations. */
export function toScreenElements(elements: PageElement[]): ScreenElement[] {
  return elements.map(({ role, name, x, y, width, height }) => ({
    role,
    name,
    x,
    y,
    width,
    height,
  }));
}
