import type { ModelAction } from '../model.js';
import type { ScreenScale } from '../provider/screen-scale.js';

/** One action of a `computer_call` (its `action`, or each of its `actions`). */
export type ComputerAction = Record<string, unknown> & { type?: string };

/** The machine actions (screen pixels) of one computer action, or why it cannot be done. */
export type MappedAction = { ok: true; actions: ModelAction[] } | { ok: false; reason: string };

/** Maps a Responses API computer action to machine actions. */
export function mapComputerAction(action: ComputerAction, scale: ScreenScale): MappedAction {
  const at = () => scale.toScreen({ x: numberOf(action.x), y: numberOf(action.y) });
  switch (action.type) {
    case 'click':
      return clickOf(String(action.button ?? 'left'), at());
    case 'double_click':
      return done({ type: 'double_click', ...at() });
    case 'move':
      return done({ type: 'move', ...at() });
    case 'drag':
      return dragOf(action.path, scale);
    case 'scroll':
      return done({
        type: 'scroll',
        ...at(),
        delta_x: Math.round(numberOf(action.scroll_x)),
        delta_y: Math.round(numberOf(action.scroll_y)),
      });
    case 'type':
      return typeof action.text === 'string'
        ? done({ type: 'type', text: action.text })
        : { ok: false, reason: 'type needs text.' };
    case 'keypress':
      return keypressOf(action.keys);
    case 'wait':
      return done({ type: 'wait', ms: Math.min(numberOf(action.ms) || 1000, 60_000) });
    case 'screenshot':
      return { ok: true, actions: [] };
    default:
      return { ok: false, reason: `The computer action '${action.type}' is not supported here.` };
  }
}

function clickOf(button: string, at: { x: number; y: number }): MappedAction {
  if (button === 'back' || button === 'forward') {
    return done({ type: 'key', keys: button === 'back' ? 'alt+ArrowLeft' : 'alt+ArrowRight' });
  }
  const buttons: Record<string, 'left' | 'right' | 'middle'> = {
    left: 'left',
    right: 'right',
    wheel: 'middle',
    middle: 'middle',
  };
  const mapped = buttons[button];
  return mapped
    ? done({ type: 'click', ...at, button: mapped })
    : { ok: false, reason: `There is no mouse button '${button}'.` };
}

// LIMITATION: a drag goes straight from the path's first point to its last; a path action in
// the vocabulary would follow the points between.
function dragOf(path: unknown, scale: ScreenScale): MappedAction {
  const points = Array.isArray(path) ? (path as Array<{ x?: unknown; y?: unknown }>) : [];
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || points.length < 2) {
    return { ok: false, reason: 'drag needs a path of at least two points.' };
  }
  return done({
    type: 'drag',
    from: scale.toScreen({ x: numberOf(first.x), y: numberOf(first.y) }),
    to: scale.toScreen({ x: numberOf(last.x), y: numberOf(last.y) }),
  });
}

function keypressOf(keys: unknown): MappedAction {
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) {
    return { ok: false, reason: 'keypress needs keys.' };
  }
  // A lone letter is meant unshifted; names such as CTRL or ENTER are matched in any case.
  const names = (keys as string[]).map((key) => (key.length === 1 ? key.toLowerCase() : key));
  return done({ type: 'key', keys: names.join('+') });
}

function done(action: ModelAction): MappedAction {
  return { ok: true, actions: [action] };
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
