import type { ClickModifier } from '../../contracts/index.js';
import type { ModelAction } from '../model.js';
import type { CallRecord } from '../provider/call-record.js';
import type { ScreenScale } from '../provider/screen-scale.js';

/** A tool_use block of Anthropic's reply. */
export interface ToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** One call's actions (in screen pixels) and its record. */
export interface MappedCall {
  actions: ModelAction[];
  record: CallRecord;
}

export interface MappingContext {
  scale: ScreenScale;
  /** Where the pointer is, in screen pixels, for clicks that name no coordinate. */
  pointer: { x: number; y: number };
}

const pixelsPerScrollClick = 100;

// The modifier names a click's `text` may hold ("shift", "ctrl+shift", "super").
const modifierNames: Record<string, ClickModifier> = {
  ctrl: 'ctrl',
  control: 'ctrl',
  shift: 'shift',
  alt: 'alt',
  super: 'meta',
  meta: 'meta',
  cmd: 'meta',
  win: 'meta',
};

/** The modifiers a click holds; undefined when `text` names something that is not one. */
function clickModifiersOf(text: unknown): ClickModifier[] | undefined {
  if (typeof text !== 'string' || text.trim() === '') {
    return [];
  }
  const modifiers = text.split('+').map((name) => modifierNames[name.trim().toLowerCase()]);
  return modifiers.every((modifier) => modifier !== undefined)
    ? [...new Set(modifiers)]
    : undefined;
}

/** Maps one tool_use of the computer or bash tool to actions. */
export function mapToolUse(use: ToolUse, context: MappingContext): MappedCall {
  if (use.name === 'bash') {
    return mapBash(use);
  }
  if (use.name !== 'computer') {
    return unsupported(use.id, `There is no tool named '${use.name}'.`);
  }
  const action = String(use.input.action ?? '');
  const special = answeredWithoutActing(use, action, context);
  if (special) {
    return special;
  }
  const actions = screenActions(action, use.input, context);
  if (actions === undefined) {
    return unsupported(use.id, `The computer action '${action}' is not supported here.`);
  }
  for (const mapped of actions) {
    if ('x' in mapped) {
      context.pointer = { x: mapped.x, y: mapped.y };
    } else if (mapped.type === 'drag') {
      context.pointer = mapped.to;
    }
  }
  return { actions, record: { id: use.id, actionCount: actions.length, kind: 'screen' } };
}

function mapBash(use: ToolUse): MappedCall {
  if (use.input.restart === true) {
    const actions: ModelAction[] = [{ type: 'terminal', command: '', restart: true }];
    return { actions, record: { id: use.id, actionCount: 1, kind: 'terminal' } };
  }
  if (typeof use.input.command !== 'string') {
    return unsupported(use.id, 'bash needs a command.');
  }
  const actions: ModelAction[] = [{ type: 'terminal', command: use.input.command }];
  return { actions, record: { id: use.id, actionCount: 1, kind: 'terminal' } };
}

function answeredWithoutActing(
  use: ToolUse,
  action: string,
  context: MappingContext,
): MappedCall | undefined {
  if (action === 'screenshot') {
    return { actions: [], record: { id: use.id, actionCount: 0, kind: 'screenshot' } };
  }
  if (action === 'cursor_position') {
    const { x, y } = context.scale.toModel(context.pointer);
    const note = `X=${x},Y=${y}`;
    return { actions: [], record: { id: use.id, actionCount: 0, kind: 'cursor', note } };
  }
  if (action === 'zoom') {
    const region = numbersOf(use.input.region, 4);
    if (!region) {
      return unsupported(use.id, 'zoom needs region: [x0, y0, x1, y1].');
    }
    const [x0, y0, x1, y1] = region as [number, number, number, number];
    const start = context.scale.toScreen({ x: x0, y: y0 });
    const end = context.scale.toScreen({ x: x1, y: y1 });
    const box = {
      left: Math.min(start.x, end.x),
      top: Math.min(start.y, end.y),
      width: Math.max(1, Math.abs(end.x - start.x)),
      height: Math.max(1, Math.abs(end.y - start.y)),
    };
    return { actions: [], record: { id: use.id, actionCount: 0, kind: 'zoom', region: box } };
  }
  return undefined;
}

function screenActions(
  action: string,
  input: Record<string, unknown>,
  context: MappingContext,
): ModelAction[] | undefined {
  const at = () => pointOf(input.coordinate, context);
  switch (action) {
    // LIMITATION: left_mouse_down/up are refused; key-down and key-up actions would lift it.
    case 'left_click':
    case 'right_click':
    case 'middle_click': {
      const button =
        action === 'left_click' ? 'left' : action === 'right_click' ? 'right' : 'middle';
      const modifiers = clickModifiersOf(input.text);
      if (modifiers === undefined) {
        return undefined;
      }
      return [{ type: 'click', ...at(), button, ...(modifiers.length > 0 && { modifiers }) }];
    }
    case 'double_click':
      return [{ type: 'double_click', ...at() }];
    case 'triple_click':
      // LIMITATION: a triple click is sent as a double click and a click; a click count in the
      // action vocabulary would make it one gesture.
      return [
        { type: 'double_click', ...at() },
        { type: 'click', ...at(), button: 'left' },
      ];
    case 'mouse_move':
      return [{ type: 'move', ...at() }];
    case 'left_click_drag':
      return [{ type: 'drag', from: pointOf(input.start_coordinate, context), to: at() }];
    case 'type':
      return typeof input.text === 'string' ? [{ type: 'type', text: input.text }] : undefined;
    case 'key':
    case 'hold_key':
      // LIMITATION: hold_key presses the key once; holding needs key-down/up actions.
      return typeof input.text === 'string'
        ? [{ type: 'key', keys: keysOf(input.text) }]
        : undefined;
    case 'scroll':
      return [scrollOf(input, at())];
    case 'wait': {
      const seconds = typeof input.duration === 'number' ? input.duration : 1;
      return [{ type: 'wait', ms: Math.round(Math.min(Math.max(seconds, 0), 60) * 1000) }];
    }
    default:
      return undefined;
  }
}

function scrollOf(input: Record<string, unknown>, at: { x: number; y: number }): ModelAction {
  const amount = typeof input.scroll_amount === 'number' ? input.scroll_amount : 3;
  const pixels = Math.round(amount * pixelsPerScrollClick);
  const direction = String(input.scroll_direction ?? 'down');
  const delta_x = direction === 'left' ? -pixels : direction === 'right' ? pixels : 0;
  const delta_y = direction === 'up' ? -pixels : direction === 'down' ? pixels : 0;
  return { type: 'scroll', ...at, delta_x, delta_y };
}

function pointOf(value: unknown, context: MappingContext): { x: number; y: number } {
  const pair = numbersOf(value, 2);
  return pair ? context.scale.toScreen({ x: pair[0]!, y: pair[1]! }) : context.pointer;
}

/** xdotool spellings Claude uses, in the names the machines accept. */
export function keysOf(text: string): string {
  return text
    .split(' ')
    .map((combo) =>
      combo
        .split('+')
        .map((key) => xdotoolNames[key] ?? key)
        .join('+'),
    )
    .join(' ');
}

const xdotoolNames: Record<string, string> = {
  Page_Down: 'PageDown',
  Page_Up: 'PageUp',
  KP_Enter: 'Enter',
  BackSpace: 'Backspace',
  super: 'Meta',
  Super_L: 'Meta',
  Control_L: 'Control',
  Shift_L: 'Shift',
  Alt_L: 'Alt',
};

function unsupported(id: string, note: string): MappedCall {
  return { actions: [], record: { id, actionCount: 0, kind: 'unsupported', note } };
}

function numbersOf(value: unknown, count: number): number[] | undefined {
  const ok =
    Array.isArray(value) &&
    value.length === count &&
    value.every((item) => typeof item === 'number' && Number.isFinite(item));
  return ok ? (value as number[]) : undefined;
}
