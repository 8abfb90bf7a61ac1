import { z } from 'zod';

import { BrowserCommandFailure, elementTarget, firstLine } from './browser-command.js';
import { describeTab, tabsOf } from './browser-host.js';
import { onScreen, pageElements } from './page-elements.js';
import type { BrowserCommand } from './browser-command.js';

/** Commands that read the page without changing it. */
export const readCommands: Record<string, BrowserCommand> = {
  browser_get_dom: {
    parameters: z.object({
      selector: elementTarget.selector,
      max_characters: z.number().int().min(1).max(5_000_000).default(500_000),
    }),
    run: async (host, p) => {
      const page = await host.currentPage();
      const html =
        p.selector === undefined
          ? await page.content()
          : await page
              .locator(p.selector)
              .first()
              .evaluate((el: any) => String(el.outerHTML), undefined, { timeout: 5_000 })
              .catch((error: unknown) => {
                throw new BrowserCommandFailure(`No element ${p.selector}: ${firstLine(error)}`);
              });
      return {
        url: page.url(),
        title: await page.title(),
        html: html.slice(0, p.max_characters),
        length: html.length,
        truncated: html.length > p.max_characters,
      };
    },
  },
  browser_get_clickables: {
    parameters: z.object({}),
    run: async (host) => {
      const page = await host.currentPage();
      const origin = await host.viewportOrigin(page);
      const elements = onScreen(await pageElements(page), origin);
      return {
        url: page.url(),
        // Boxes are in screen pixels: clicking a box's centre lands on its element.
        elements: elements.map((element, index) => ({
          index,
          ...element,
          center_x: Math.floor(element.x + element.width / 2),
          center_y: Math.floor(element.y + element.height / 2),
        })),
      };
    },
  },
  browser_state: {
    parameters: z.object({}),
    run: async (host) => {
      const page = await host.currentPage();
      const tabs = tabsOf(host);
      const state = await page.evaluate(() => {
        const win = globalThis as any;
        const focused = win.document.activeElement;
        return {
          ready_state: String(win.document.readyState),
          scroll_x: win.scrollX as number,
          scroll_y: win.scrollY as number,
          viewport_width: win.innerWidth as number,
          viewport_height: win.innerHeight as number,
          page_width: win.document.documentElement.scrollWidth as number,
          page_height: win.document.documentElement.scrollHeight as number,
          focused:
            focused && focused !== win.document.body
              ? { tag: String(focused.localName), id: String(focused.id ?? '') }
              : null,
        };
      });
      return {
        url: page.url(),
        title: await page.title(),
        ...state,
        tab_index: tabs.indexOf(page),
        tab_count: tabs.length,
      };
    },
  },
  browser_info: {
    parameters: z.object({}),
    run: async (host) => {
      const page = await host.currentPage();
      const userAgent = await page.evaluate(() => String((globalThis as any).navigator.userAgent));
      const version = /Chrome\/([\d.]+)/.exec(userAgent)?.[1] ?? null;
      return {
        browser: 'chromium',
        version,
        user_agent: userAgent,
        viewport: page.viewportSize(),
        tab_count: tabsOf(host).length,
      };
    },
  },
  browser_screenshot: {
    parameters: z.object({
      format: z.enum(['png', 'jpeg']).default('png'),
      full_page: z.boolean().default(false),
      selector: elementTarget.selector,
    }),
    run: async (host, p) => {
      const page = await host.currentPage();
      const options = {
        type: p.format,
        ...(p.format === 'jpeg' ? { quality: 80 } : {}),
        timeout: 10_000,
      } as const;
      const data =
        p.selector === undefined
          ? await page.screenshot({ ...options, fullPage: p.full_page })
          : await page.locator(p.selector).first().screenshot(options);
      const size = imageSize(data);
      return {
        image_b64: data.toString('base64'),
        mime_type: `image/${p.format}`,
        ...size,
        url: page.url(),
      };
    },
  },
};

/** Width and height from a PNG's header or a JPEG's start-of-frame marker. */
function imageSize(data: Buffer): { width: number; height: number } {
  if (data.subarray(1, 4).toString('latin1') === 'PNG') {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  for (let offset = 2; offset + 9 < data.length;) {
    const marker = data[offset + 1]!;
    if (marker >= 0xc0 && marker <= 0xc3) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + data.readUInt16BE(offset + 2);
  }
  return { width: 0, height: 0 };
}
