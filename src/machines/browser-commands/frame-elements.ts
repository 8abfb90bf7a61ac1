import type { Frame } from 'playwright-core';

import { collectElements } from './collect-elements.js';
import type { PageElement } from './page-elements.js';

/** More than a screen's worth; a page with more is summarised by its first ones. */
export const maxPageElements = 400;

/** Frames inside frames deeper than this are not looked into. */
const maxFrameDepth = 3;

/**
 * The elements of a frame and of the frames inside it, in the frame's viewport pixels. A
 * nested frame's elements are moved by where its content box sits, and kept only where a
 * click at their centre reaches the iframe (it may be scrolled away or covered).
 */
export async function elementsOfFrame(frame: Frame, depth: number): Promise<PageElement[]> {
  const own = await frame.evaluate(collectElements, maxPageElements).catch(() => []);
  if (depth >= maxFrameDepth) {
    return own;
  }
  const nested = await Promise.all(
    frame.childFrames().map((child) => liftedElements(child, depth + 1).catch(() => [])),
  );
  return [...own, ...nested.flat()];
}

async function liftedElements(child: Frame, depth: number): Promise<PageElement[]> {
  const elements = await elementsOfFrame(child, depth);
  if (elements.length === 0) {
    return [];
  }
  const owner = await child.frameElement();
  try {
    const centres = elements.map((element) => ({
      x: element.x + element.width / 2,
      y: element.y + element.height / 2,
    }));
    // Where the iframe's content starts in its parent, and whether each centre shows there.
    const { offset, shown } = await owner.evaluate((iframe: any, points) => {
      const doc = iframe.ownerDocument;
      const rect = iframe.getBoundingClientRect();
      const style = doc.defaultView.getComputedStyle(iframe);
      const x = Math.round(rect.left + iframe.clientLeft + parseFloat(style.paddingLeft));
      const y = Math.round(rect.top + iframe.clientTop + parseFloat(style.paddingTop));
      const hits = (px: number, py: number) => doc.elementFromPoint(px, py) === iframe;
      return {
        offset: { x, y },
        shown: points.map(
          (point) =>
            hits(Math.floor(x + point.x), Math.floor(y + point.y)) &&
            hits(Math.ceil(x + point.x), Math.ceil(y + point.y)),
        ),
      };
    }, centres);
    return elements
      .filter((_, index) => shown[index])
      .map((element) => ({ ...element, x: element.x + offset.x, y: element.y + offset.y }));
  } finally {
    await owner.dispose();
  }
}
