/**
 * Performs agent actions on an X display with xdotool, one argument list per action, so a
 * text or key name is never read by a shell. Refusals come back as `{ ok: false }` before any
 * input is sent; xdotool failures and the signal's abort reason are thrown for the caller.
 */
import { abortableDelay } from '../browser/abort.js';
import { parseKeys } from '../browser/keys.js';
import { navigate, typeText } from './text-input.js';
import { releaseAll, xdotool } from './xdotool.js';
import { comboKeysyms, xdotoolCombo } from './xdotool-keys.js';
import type { AgentAction, ClickModifier } from '../../contracts/actions.js';
import type { ActionOutcome } from '../driver.js';
import { refuseOffScreen } from '../screen-bounds.js';
import type { Point } from '../screen-bounds.js';
import type { DesktopActionContext } from './xdotool.js';

const OK: ActionOutcome = { ok: true };
const XDOTOOL_MODIFIERS: Record<ClickModifier, string> = {
  ctrl: 'ctrl',
  shift: 'shift',
  alt: 'alt',
  meta: 'super',
};
const BUTTONS = { left: '1', middle: '2', right: '3' } as const;
/** Pixels one wheel click stands for; Chromium on X11 scrolls about this far per click. */
const PIXELS_PER_WHEEL_CLICK = 100;
const MAX_WHEEL_CLICKS = 100;
const DRAG_STEPS = 10;

export async function performDesktopAction(
  action: AgentAction,
  context: DesktopActionContext,
): Promise<ActionOutcome> {
  const refusal = refuseOffScreen(action, context.screen);
  if (refusal !== undefined) {
    return refusal;
  }
  context.signal.throwIfAborted();

  switch (action.type) {
    case 'click':
      await click(context, action);
      return OK;
    case 'double_click':
      await xdotool(context, [...moveTo(action), 'click', '--repeat', '2', '--delay', '50', '1']);
      return OK;
    case 'move':
      await xdotool(context, moveTo(action));
      return OK;
    case 'drag':
      await drag(context, action.from, action.to);
      return OK;
    case 'type':
      await typeText(action.text, context);
      return OK;
    case 'key':
      return pressKeys(context, action.keys);
    case 'scroll':
      await scroll(context, action, action.delta_x, action.delta_y);
      return OK;
    case 'wait':
      await abortableDelay(action.ms, context.signal);
      return OK;
    case 'navigate':
      return navigate(action.url, context);
  }
}

// No --sync: xdotool waits ~14 s for a motion event when the pointer is already there.
function moveTo({ x, y }: Point): string[] {
  return ['mousemove', String(x), String(y)];
}

/** Presses at the start, moves in steps so pages see a path, releases at the end. */
async function drag(context: DesktopActionContext, from: Point, to: Point): Promise<void> {
  const path: string[] = [];
  for (let step = 1; step <= DRAG_STEPS; step += 1) {
    const x = Math.round(from.x + ((to.x - from.x) * step) / DRAG_STEPS);
    const y = Math.round(from.y + ((to.y - from.y) * step) / DRAG_STEPS);
    path.push(...moveTo({ x, y }), 'sleep', '0.01');
  }

  try {
    await xdotool(context, [...moveTo(from), 'mousedown', '1', ...path, 'mouseup', '1']);
  } catch (error) {
    // Whatever stopped the drag, the button must not stay down.
    await releaseAll(context, ['mouseup', '1']);
    throw error;
  }
}

async function pressKeys(context: DesktopActionContext, keys: string): Promise<ActionOutcome> {
  const parsed = parseKeys(keys);
  if (!parsed.ok) {
    return { ok: false, error: parsed.error };
  }

  for (const combo of parsed.combos) {
    context.signal.throwIfAborted();
    try {
      // xdotool presses the combo's keys in order and releases them in reverse.
      await xdotool(context, ['key', '--clearmodifiers', xdotoolCombo(combo)]);
    } catch (error) {
      await releaseAll(context, ['keyup', ...comboKeysyms(combo)]);
      throw error;
    }
  }
  return OK;
}

/** Wheel clicks: buttons 4/5 scroll up/down, 6/7 left/right, where the pointer is. */
async function scroll(
  context: DesktopActionContext,
  at: Point,
  deltaX: number,
  deltaY: number,
): Promise<void> {
  const args = moveTo(at);
  args.push(...wheel(deltaY, '4', '5'), ...wheel(deltaX, '6', '7'));
  await xdotool(context, args);
}

function wheel(delta: number, negative: string, positive: string): string[] {
  if (delta === 0) {
    return [];
  }
  // LIMITATION: whole wheel clicks only; a pixel-exact scroll needs smooth-scroll (XI2) events.
  const clicks = Math.min(
    MAX_WHEEL_CLICKS,
    Math.max(1, Math.round(Math.abs(delta) / PIXELS_PER_WHEEL_CLICK)),
  );
  return ['click', '--repeat', String(clicks), '--delay', '10', delta > 0 ? positive : negative];
}

/** A click, with its modifiers pressed first and released last, even when xdotool fails. */
async function click(
  context: DesktopActionContext,
  action: Extract<AgentAction, { type: 'click' }>,
): Promise<void> {
  const keys = (action.modifiers ?? []).map((modifier) => XDOTOOL_MODIFIERS[modifier]);
  const button = BUTTONS[action.button];
  if (keys.length === 0) {
    await xdotool(context, [...moveTo(action), 'click', '--delay', '0', button]);
    return;
  }
  try {
    await xdotool(context, [
      ...moveTo(action),
      ...['keydown', ...keys],
      ...['click', '--delay', '0', button],
      ...['keyup', ...keys.toReversed()],
    ]);
  } catch (error) {
    await releaseAll(context, ['keyup', ...keys.toReversed()]);
    throw error;
  }
}
