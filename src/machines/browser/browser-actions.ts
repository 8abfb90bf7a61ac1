import { errors } from 'playwright-core';
import type { Keyboard, Page } from 'playwright-core';

import { abortableDelay } from './abort.js';
import { parseKeys } from './keys.js';
import type { AgentAction, ClickModifier } from '../../contracts/actions.js';
import type { ActionOutcome } from '../driver.js';
import { refuseOffScreen } from '../screen-bounds.js';
import type { Point } from '../screen-bounds.js';
import type { KeyCombo } from './keys.js';

/** What an action needs besides itself. */
export interface ActionContext {
  page: Page;
  screen: { width: number; height: number };
  /** Checked before each piece of input; nothing is sent once it has aborted. */
  signal: AbortSignal;
  navigationTimeoutMs: number;
}

const OK: ActionOutcome = { ok: true };

/** Intermediate pointer moves of a drag, so pages that track mousemove see a path. */
const DRAG_STEPS = 10;

/** Code points typed per keyboard call; the signal is checked between chunks. */
const TYPE_CHUNK_LENGTH = 64;

/**
 * Performs one action on the page. Refusals (coordinates off the screen, unknown keys, URLs
 * that are not web pages) come back as `{ ok: false }` before any input is sent; Playwright
 * failures and the signal's abort reason are thrown for the caller to translate.
 */
export async function performAction(
  action: AgentAction,
  context: ActionContext,
): Promise<ActionOutcome> {
  const refusal = refuseOffScreen(action, context.screen);
  if (refusal !== undefined) {
    return refusal;
  }

  const { page, signal } = context;
  signal.throwIfAborted();

  switch (action.type) {
    case 'click':
      await holding(page, action.modifiers ?? [], () =>
        page.mouse.click(action.x, action.y, { button: action.button }),
      );
      return OK;
    case 'double_click':
      await page.mouse.dblclick(action.x, action.y);
      return OK;
    case 'move':
      await page.mouse.move(action.x, action.y);
      return OK;
    case 'drag':
      await drag(page, action.from, action.to);
      return OK;
    case 'type':
      await typeText(page.keyboard, action.text, signal);
      return OK;
    case 'key':
      return pressKeys(page.keyboard, action.keys, signal);
    case 'scroll':
      await scroll(page, action, action.delta_x, action.delta_y);
      return OK;
    case 'wait':
      await abortableDelay(action.ms, signal);
      return OK;
    case 'navigate':
      return navigate(page, action.url, context.navigationTimeoutMs);
  }
}

async function drag(page: Page, from: Point, to: Point): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();

  // Once pressed, the button is released whatever happens, or the page stays mid-drag.
  try {
    await page.mouse.move(to.x, to.y, { steps: DRAG_STEPS });
  } finally {
    await page.mouse.up();
  }
}

/** Types the text as key presses; each line break is pressed as Enter. */
async function typeText(keyboard: Keyboard, text: string, signal: AbortSignal): Promise<void> {
  const lines = text.split(/\r\n|\r|\n/);

  for (const [index, line] of lines.entries()) {
    if (index > 0) {
      signal.throwIfAborted();
      await keyboard.press('Enter');
    }

    // Chunks hold whole code points, so no surrogate pair is ever split between two calls.
    const characters = Array.from(line);
    for (let start = 0; start < characters.length; start += TYPE_CHUNK_LENGTH) {
      signal.throwIfAborted();
      await keyboard.type(characters.slice(start, start + TYPE_CHUNK_LENGTH).join(''));
    }
  }
}

async function pressKeys(
  keyboard: Keyboard,
  keys: string,
  signal: AbortSignal,
): Promise<ActionOutcome> {
  const parsed = parseKeys(keys);
  if (!parsed.ok) {
    return { ok: false, error: parsed.error };
  }

  for (const combo of parsed.combos) {
    signal.throwIfAborted();
    await pressCombo(keyboard, combo);
  }
  return OK;
}

/** Modifiers go down first and come up last, even when a press in between fails. */
async function pressCombo(keyboard: Keyboard, combo: KeyCombo): Promise<void> {
  const down: string[] = [];

  try {
    for (const key of combo.held) {
      down.push(key);
      await keyboard.down(key);
    }
    await keyboard.press(combo.key);
  } finally {
    for (const key of down.reverse()) {
      await keyboard.up(key).catch(() => undefined);
    }
  }
}

async function scroll(page: Page, at: Point, deltaX: number, deltaY: number): Promise<void> {
  if (deltaX === 0 && deltaY === 0) {
    return;
  }

  // The wheel scrolls whatever is under the pointer, so the pointer goes there first.
  await page.mouse.move(at.x, at.y);
  await page.mouse.wheel(deltaX, deltaY);
}

async function navigate(page: Page, url: string, timeoutMs: number): Promise<ActionOutcome> {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol === undefined) {
    return { ok: false, error: `"${url}" is not a valid URL.` };
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    // file:, chrome: and javascript: URLs would reach into the host rather than the web.
    return { ok: false, error: `Only http and https URLs can be opened, not ${protocol} URLs.` };
  }

  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    return OK;
  } catch (error) {
    return { ok: false, error: navigationFailure(url, error, timeoutMs) };
  }
}

function navigationFailure(url: string, error: unknown, timeoutMs: number): string {
  if (error instanceof errors.TimeoutError) {
    return `Could not open ${url}: it did not finish loading within ${timeoutMs / 1000} s.`;
  }

  // "page.goto: net::ERR_NAME_NOT_RESOLVED at https://…" → "net::ERR_NAME_NOT_RESOLVED".
  const reason = describePlaywrightError(error).replace(/ at \S+$/, '');
  return `Could not open ${url}: ${reason}`;
}

/** The first line of a Playwright error, without the "page.goto:"-style API prefix. */
export function describePlaywrightError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n', 1)[0] ?? '';
  return firstLine.replace(/^[\w.]+: /, '').trim() || 'unknown browser error';
}

const PLAYWRIGHT_MODIFIERS: Record<ClickModifier, string> = {
  ctrl: 'Control',
  shift: 'Shift',
  alt: 'Alt',
  meta: 'Meta',
};

/** Runs `act` with the modifiers held, releasing every one pressed whatever happens. */
async function holding(
  page: Page,
  modifiers: ClickModifier[],
  act: () => Promise<void>,
): Promise<void> {
  const pressed: string[] = [];
  try {
    for (const modifier of modifiers) {
      const key = PLAYWRIGHT_MODIFIERS[modifier];
      await page.keyboard.down(key);
      pressed.push(key);
    }
    await act();
  } finally {
    for (const key of pressed.reverse()) {
      await page.keyboard.up(key).catch(() => undefined);
    }
  }
}
