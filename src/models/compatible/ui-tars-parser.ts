import type { ModelAction } from '../model.js';
import { pointOf } from './parsed-reply.js';
import type { ParsedReply } from './parsed-reply.js';

const scrollPixels = 500;
const waitMs = 5000;

/**
 * Reads a UI-TARS reply: `Thought: …` then `Action: name(arg='value', …)`, one or more
 * actions, points written as `(x,y)`, `<|box_start|>(x,y)<|box_end|>`, `<point>x y</point>`
 * or a box `[x1,y1,x2,y2]` (its centre).
 */
export function parseUiTars(reply: string): ParsedReply {
  const parsed: ParsedReply = { actions: [], problems: [] };
  const thought = /Thought:\s*([\s\S]*?)(?=\n\s*Action:|$)/.exec(reply)?.[1]?.trim();
  if (thought) {
    parsed.thought = thought;
  }
  const actionText = /Action:\s*([\s\S]*)$/.exec(reply)?.[1] ?? '';
  for (const call of calls(actionText)) {
    apply(parsed, call.name, call.args);
  }
  if (parsed.actions.length === 0 && !parsed.done && !parsed.needsHuman) {
    parsed.problems.push('No action could be read; answer with "Action: name(…)".');
  }
  return parsed;
}

interface Call {
  name: string;
  args: Record<string, string>;
}

function calls(text: string): Call[] {
  const found: Call[] = [];
  const pattern = /([a-z_]+)\(((?:[^()'"]|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|\([^()]*\))*)\)/g;
  for (const match of text.matchAll(pattern)) {
    found.push({ name: match[1] ?? '', args: argsOf(match[2] ?? '') });
  }
  return found;
}

function argsOf(text: string): Record<string, string> {
  const args: Record<string, string> = {};
  const pattern = /(\w+)\s*=\s*('((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")/g;
  for (const match of text.matchAll(pattern)) {
    args[match[1] ?? ''] = unescape(match[3] ?? match[4] ?? '');
  }
  return args;
}

function unescape(text: string): string {
  return text.replace(/\\(n|t|'|"|\\)/g, (_, char: string) =>
    char === 'n' ? '\n' : char === 't' ? '\t' : char,
  );
}

function apply(parsed: ParsedReply, name: string, args: Record<string, string>): void {
  const start = pointOf(args.start_box ?? args.point ?? args.start_point);
  const end = pointOf(args.end_box ?? args.end_point);
  const action = actionOf(name, args, start, end);
  if (action === 'finished') {
    parsed.done = { success: true, summary: args.content ?? 'Done.' };
  } else if (action === 'call_user') {
    parsed.needsHuman = { reason: parsed.thought ?? 'The model asks for a person.' };
  } else if (action) {
    parsed.actions.push(...action);
  } else {
    parsed.problems.push(`Could not perform ${name}(${JSON.stringify(args)}).`);
  }
}

function actionOf(
  name: string,
  args: Record<string, string>,
  start: { x: number; y: number } | undefined,
  end: { x: number; y: number } | undefined,
): ModelAction[] | 'finished' | 'call_user' | undefined {
  switch (name) {
    case 'click':
    case 'left_single':
      return start && [{ type: 'click', ...start, button: 'left' }];
    case 'left_double':
      return start && [{ type: 'double_click', ...start }];
    case 'right_single':
      return start && [{ type: 'click', ...start, button: 'right' }];
    case 'drag':
    case 'select':
      return start && end && [{ type: 'drag', from: start, to: end }];
    case 'hotkey':
    case 'press':
      return keyOf(args.key ?? args.hotkey);
    case 'type':
      return [{ type: 'type', text: args.content ?? '' }];
    case 'scroll':
      return start && [scrollOf(start, args.direction ?? 'down')];
    case 'wait':
      return [{ type: 'wait', ms: waitMs }];
    case 'finished':
      return 'finished';
    case 'call_user':
      return 'call_user';
    default:
      return undefined;
  }
}

function keyOf(key: string | undefined): ModelAction[] | undefined {
  // UI-TARS separates the keys of one combo with spaces: 'ctrl c'.
  const keys = key?.trim().split(/\s+/).join('+');
  return keys ? [{ type: 'key', keys }] : undefined;
}

function scrollOf(at: { x: number; y: number }, direction: string): ModelAction {
  const delta_x = direction === 'left' ? -scrollPixels : direction === 'right' ? scrollPixels : 0;
  const delta_y = direction === 'up' ? -scrollPixels : direction === 'down' ? scrollPixels : 0;
  return { type: 'scroll', ...at, delta_x, delta_y };
}
