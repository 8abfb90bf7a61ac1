import { z } from 'zod';
import type { Locator, Page } from 'playwright-core';

import { abortableDelay } from '../browser/abort.js';
import {
  BrowserCommandFailure,
  describeTarget,
  elementTarget,
  firstLine,
  goTo,
  locate,
  waitTimeout,
  webUrl,
} from './browser-command.js';
import { describeTab, tabsOf } from './browser-host.js';
import type { BrowserCommand } from './browser-command.js';
import type { BrowserHost } from './browser-host.js';

/** Serialized results of browser_execute past this size are refused rather than sent. */
const maxScriptResultCharacters = 1_000_000;

const needsTarget = (p: { selector?: string; text?: string; role?: string }) =>
  p.selector !== undefined || p.text !== undefined || p.role !== undefined;

/** Commands that act on the page on screen. */
export const pageCommands: Record<string, BrowserCommand> = {
  browser_open: {
    parameters: z.object({ url: webUrl.optional() }),
    run: async (host, p) => {
      await host.reopen?.();
      const page = await host.currentPage();
      if (p.url !== undefined) {
        await goTo(page, p.url, host.navigationTimeoutMs);
      }
      const tabs = tabsOf(host);
      return { tab: await describeTab(page, tabs.indexOf(page), true) };
    },
  },
  browser_click: {
    parameters: z
      .object({
        ...elementTarget,
        button: z.enum(['left', 'right', 'middle']).default('left'),
        click_count: z.number().int().min(1).max(3).default(1),
        timeout_ms: waitTimeout,
      })
      .refine(needsTarget, 'name the element: selector, text, or role (with name)'),
    run: async (host, p) => {
      const page = await host.currentPage();
      const target = locate(page, p)!;
      const what = await onElement(target, p, p.timeout_ms, (element) =>
        element.click({ button: p.button, clickCount: p.click_count, timeout: p.timeout_ms }),
      );
      return { clicked: what, url: page.url() };
    },
  },
  browser_type: {
    parameters: z.object({
      ...elementTarget,
      /** What to type; the field is named by selector or role alone. */
      text: z.string().max(100_000),
      clear: z.boolean().default(false),
      press_enter: z.boolean().default(false),
      timeout_ms: waitTimeout,
    }),
    run: typeInto,
  },
  browser_scroll: {
    parameters: z.object({
      selector: elementTarget.selector,
      direction: z.enum(['up', 'down', 'left', 'right']).optional(),
      amount: z.number().int().min(1).max(100_000).default(600),
      delta_x: z.number().int().min(-100_000).max(100_000).default(0),
      delta_y: z.number().int().min(-100_000).max(100_000).default(0),
      timeout_ms: waitTimeout,
    }),
    run: scrollPage,
  },
  browser_wait: {
    parameters: z
      .object({
        ms: z.number().int().min(0).max(60_000).optional(),
        selector: elementTarget.selector,
        text: elementTarget.text,
        state: z.enum(['visible', 'hidden', 'attached', 'detached']).default('visible'),
        url: z.string().min(1).max(8192).optional(),
        load_state: z.enum(['load', 'domcontentloaded', 'networkidle']).optional(),
        timeout_ms: waitTimeout,
      })
      .refine(
        (p) => [p.ms, p.selector, p.text, p.url, p.load_state].some((v) => v !== undefined),
        'say what to wait for: ms, selector, text, url or load_state',
      ),
    run: waitFor,
  },
  browser_execute: {
    parameters: z.object({
      /** A JavaScript expression, or a function that receives `arg`. */
      script: z.string().min(1).max(100_000),
      arg: z.unknown().optional(),
    }),
    run: async (host, p) => {
      const page = await host.currentPage();
      // One evaluation through the debugging protocol (a page's CSP does not apply to it): a
      // function is called with `arg`, anything else is the expression's value.
      const source = `(() => { const value = (${p.script}\n);
        return typeof value === 'function' ? value(${JSON.stringify(p.arg ?? null)}) : value; })()`;
      const value = await page.evaluate(source).catch((error: unknown) => {
        throw new BrowserCommandFailure(`The script failed: ${firstLine(error)}`);
      });
      const serialized = JSON.stringify(value ?? null);
      if (serialized.length > maxScriptResultCharacters) {
        throw new BrowserCommandFailure(
          `The script's result is ${serialized.length} characters as JSON; ` +
            `at most ${maxScriptResultCharacters} are returned.`,
        );
      }
      return { value: value ?? null, url: page.url() };
    },
  },
};

/** Waits for the element, runs `act` on it, and says which element it was. */
async function onElement(
  target: Locator,
  p: { selector?: string; text?: string; role?: string; name?: string; exact: boolean },
  timeoutMs: number,
  act: (element: Locator) => Promise<void>,
): Promise<{ tag: string; text: string }> {
  try {
    await target.waitFor({ state: 'visible', timeout: timeoutMs });
    const what = await target.evaluate((el: any) => ({
      tag: String(el.localName),
      text: String(el.innerText ?? el.value ?? '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200),
    }));
    await act(target);
    return what;
  } catch (error) {
    throw new BrowserCommandFailure(`Could not use ${describeTarget(p)}: ${firstLine(error)}`);
  }
}

async function typeInto(host: BrowserHost, p: any): Promise<Record<string, unknown>> {
  const page = await host.currentPage();
  // `text` is what to type here; the element is named by selector or role alone.
  const target = locate(page, { ...p, text: undefined });
  if (target !== undefined) {
    await onElement(target, { ...p, text: undefined }, p.timeout_ms, async (element) => {
      await element.focus({ timeout: p.timeout_ms });
      if (p.clear) {
        await element.fill('', { timeout: p.timeout_ms });
      }
    });
  }

  const before = await fieldValue(page);
  if (before === undefined && target === undefined) {
    throw new BrowserCommandFailure(
      'No text field has the focus; name one with selector, or role and name.',
    );
  }
  await page.keyboard.type(p.text);
  const after = await fieldValue(page);
  // Typed text that did not arrive is a failure, never a success (a key handler ate it, the
  // field has a maxlength, the focus moved away).
  if (after !== undefined && !p.text.includes('\n') && !after.includes(p.text)) {
    const holds = JSON.stringify(after.slice(0, 200));
    const was = before === undefined ? '' : ` (it held ${JSON.stringify(before.slice(0, 80))})`;
    throw new BrowserCommandFailure(
      `The text did not arrive whole: the field holds ${holds}${was}.`,
    );
  }
  if (p.press_enter) {
    await page.keyboard.press('Enter');
  }
  return { typed_characters: Array.from(p.text as string).length, url: page.url() };
}

/** The focused field's value, or undefined when the focus is not in a text field. */
function fieldValue(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    if (el?.localName === 'input' || el?.localName === 'textarea') {
      return String(el.value);
    }
    return el?.isContentEditable ? String(el.innerText) : undefined;
  });
}

async function scrollPage(host: BrowserHost, p: any): Promise<Record<string, unknown>> {
  const page = await host.currentPage();
  if (p.selector !== undefined) {
    const target = page.locator(p.selector).first();
    await target.scrollIntoViewIfNeeded({ timeout: p.timeout_ms }).catch((error: unknown) => {
      throw new BrowserCommandFailure(`Could not scroll to ${p.selector}: ${firstLine(error)}`);
    });
  } else {
    const step = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] } as const;
    const [dx, dy] = p.direction === undefined ? [0, 0] : step[p.direction as keyof typeof step];
    const delta = { x: p.delta_x + dx * p.amount, y: p.delta_y + dy * p.amount };
    if (delta.x === 0 && delta.y === 0 && p.direction === undefined) {
      throw new BrowserCommandFailure('Say how to scroll: direction, delta_x/delta_y or selector.');
    }
    await page.evaluate(
      ({ x, y }) => (globalThis as any).scrollBy({ left: x, top: y, behavior: 'instant' }),
      delta,
    );
  }
  const offset = await page.evaluate(() => ({
    x: (globalThis as any).scrollX as number,
    y: (globalThis as any).scrollY as number,
  }));
  return { scroll_x: offset.x, scroll_y: offset.y };
}

async function waitFor(host: BrowserHost, p: any, signal: AbortSignal) {
  const page = await host.currentPage();
  const timeout = p.timeout_ms;
  try {
    if (p.ms !== undefined) {
      await abortableDelay(p.ms, signal);
    }
    if (p.selector !== undefined) {
      await page.locator(p.selector).first().waitFor({ state: p.state, timeout });
    }
    if (p.text !== undefined) {
      await page.getByText(p.text).first().waitFor({ state: p.state, timeout });
    }
    if (p.url !== undefined) {
      await page.waitForURL((url) => url.href.includes(p.url), { timeout });
    }
    if (p.load_state !== undefined) {
      await page.waitForLoadState(p.load_state, { timeout });
    }
  } catch (error) {
    if (signal.aborted) {
      throw error;
    }
    throw new BrowserCommandFailure(`The wait ended unmet: ${firstLine(error)}`);
  }
  return { waited: true, url: page.url() };
}
