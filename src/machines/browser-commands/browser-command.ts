import { z } from 'zod';
import type { Locator, Page } from 'playwright-core';

import type { BrowserHost } from './browser-host.js';

/** One DOM-level browser command: its parameters and what it does with the machine's browser. */
export interface BrowserCommand {
  parameters: z.ZodType;
  run(host: BrowserHost, parameters: any, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** A command that could not be done, in words a caller can act on; it changes nothing more. */
export class BrowserCommandFailure extends Error {}

/** How a command names an element: a selector, its visible text, or its role and name. */
export const elementTarget = {
  /** A CSS selector, or a Playwright one such as `text=Sign Up` or `role=button[name="Go"]`. */
  selector: z.string().min(1).max(2000).optional(),
  /** The element's visible text (a button's label, a link's words). */
  text: z.string().min(1).max(2000).optional(),
  /** An accessibility role (`button`, `link`, `textbox`), with `name` to pick one. */
  role: z
    .string()
    .regex(/^[a-z]{2,32}$/)
    .optional(),
  name: z.string().min(1).max(2000).optional(),
  /** Whether `text` and `name` must match whole and exactly, case included. Default false. */
  exact: z.boolean().default(false),
};

export const webUrl = z
  .string()
  .max(8192)
  .refine(isWebUrl, 'must be an http or https URL (file:, chrome: and javascript: reach the host)');

/** Waits for elements and loads, in ms: long enough for a slow page, bounded by the command. */
export const waitTimeout = z.number().int().min(0).max(60_000).default(10_000);

export function isWebUrl(url: string): boolean {
  if (!URL.canParse(url)) {
    return false;
  }
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:';
}

interface TargetParameters {
  selector?: string;
  text?: string;
  role?: string;
  name?: string;
  exact: boolean;
}

/** The first element the target names; undefined when the command named none. */
export function locate(page: Page, target: TargetParameters): Locator | undefined {
  const { exact } = target;
  if (target.selector !== undefined) {
    return page.locator(target.selector).first();
  }
  if (target.role !== undefined) {
    const options = target.name === undefined ? {} : { name: target.name, exact };
    return page.getByRole(target.role as Parameters<Page['getByRole']>[0], options).first();
  }
  if (target.text !== undefined) {
    return page.getByText(target.text, { exact }).first();
  }
  return undefined;
}

/** The words for a target in an error message. */
export function describeTarget(target: TargetParameters): string {
  if (target.selector !== undefined) {
    return `the element matching ${JSON.stringify(target.selector)}`;
  }
  if (target.role !== undefined) {
    const named = target.name === undefined ? '' : ` named ${JSON.stringify(target.name)}`;
    return `a ${target.role}${named}`;
  }
  return `an element with the text ${JSON.stringify(target.text)}`;
}

/** Navigates the page and explains a failure rather than throwing Playwright's log. */
export async function goTo(page: Page, url: string, timeoutMs: number): Promise<void> {
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  } catch (error) {
    const reason = firstLine(error).replace(/ at \S+$/, '');
    throw new BrowserCommandFailure(`Could not open ${url}: ${reason}`);
  }
}

/** The first line of a Playwright error, without the "locator.click:"-style prefix. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n', 1)[0] ?? '';
  return line.replace(/^[\w.]+: /, '').trim() || 'unknown browser error';
}
