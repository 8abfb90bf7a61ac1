import type { ModelAction } from '../model.js';
import { pointOf } from './parsed-reply.js';
import type { ParsedReply } from './parsed-reply.js';

/**
 * Reads a Qwen-VL reply: text, then `<tool_call>{"name": "computer_use", "arguments":
 * {"action": …}}</tool_call>` blocks. `pointer` is where the pointer is, in the model's
 * space, for drags and scrolls that start where it is.
 */
export function parseQwen(reply: string, pointer: { x: number; y: number }): ParsedReply {
  const parsed: ParsedReply = { actions: [], problems: [] };
  const thought = reply.replace(/<tool_call>[\s\S]*?(<\/tool_call>|$)/g, '').trim();
  if (thought) {
    parsed.thought = thought;
  }
  for (const match of reply.matchAll(/<tool_call>([\s\S]*?)(<\/tool_call>|$)/g)) {
    let call: { name?: unknown; arguments?: Record<string, unknown> };
    try {
      call = JSON.parse(match[1] ?? '') as typeof call;
    } catch {
      parsed.problems.push('A tool call was not valid JSON.');
      continue;
    }
    const args = call.arguments ?? {};
    const position = pointOf(args.coordinate);
    const mapped = actionOf(String(args.action ?? ''), args, position ?? pointer, pointer);
    if (mapped === undefined) {
      parsed.problems.push(`Could not perform ${JSON.stringify(args)}.`);
      continue;
    }
    if ('done' in mapped) {
      parsed.done = mapped.done;
    } else {
      parsed.actions.push(...mapped);
    }
    pointer = position ?? pointer;
  }
  if (parsed.actions.length === 0 && !parsed.done) {
    parsed.needsHuman = { reason: parsed.thought || 'The model stopped without acting.' };
  }
  return parsed;
}

type Point = { x: number; y: number };

function actionOf(
  action: string,
  args: Record<string, unknown>,
  at: Point,
  pointer: Point,
): ModelAction[] | { done: { success: boolean; summary: string } } | undefined {
  switch (action) {
    case 'left_click':
    case 'right_click':
    case 'middle_click': {
      const button =
        action === 'left_click' ? 'left' : action === 'right_click' ? 'right' : 'middle';
      return [{ type: 'click', ...at, button }];
    }
    case 'double_click':
      return [{ type: 'double_click', ...at }];
    case 'triple_click':
      return [
        { type: 'double_click', ...at },
        { type: 'click', ...at, button: 'left' },
      ];
    case 'mouse_move':
      return [{ type: 'move', ...at }];
    case 'left_click_drag':
      return [{ type: 'drag', from: pointer, to: at }];
    case 'type':
      return typeof args.text === 'string' ? [{ type: 'type', text: args.text }] : undefined;
    case 'key':
      return Array.isArray(args.keys) && args.keys.length > 0
        ? [{ type: 'key', keys: args.keys.map(String).join('+') }]
        : undefined;
    case 'scroll':
    case 'hscroll':
      return [scrollOf(action, Number(args.pixels ?? 0), at)];
    case 'wait':
      return [{ type: 'wait', ms: Math.min(Number(args.time ?? 1) * 1000, 60_000) }];
    case 'terminate':
      return { done: { success: args.status !== 'failure', summary: String(args.status) } };
    case 'answer':
      return { done: { success: true, summary: String(args.text ?? '') } };
    default:
      return undefined;
  }
}

// Qwen's vertical pixels are positive upwards, the machines' downwards; hscroll's are
// positive to the right, as the machines'.
function scrollOf(action: string, pixels: number, at: Point): ModelAction {
  const amount = Math.round(pixels);
  return action === 'hscroll'
    ? { type: 'scroll', ...at, delta_x: amount, delta_y: 0 }
    : { type: 'scroll', ...at, delta_x: 0, delta_y: -amount };
}
