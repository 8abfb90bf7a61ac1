import { z } from 'zod';

import type { ActionCommand, AgentAction, ClickModifier, Scope } from '../contracts/index.js';
import { browserCommandNames } from './browser-commands/index.js';
import { windowCommandNames } from './windows/index.js';
import { workspaceCommandNames } from './workspace-commands.js';

const coordinate = z.number().int().min(0).max(100_000);
const point = { x: coordinate, y: coordinate };

// The spellings people use for each modifier a click can hold.
const MODIFIER_SPELLINGS: Record<string, ClickModifier> = {
  ctrl: 'ctrl',
  control: 'ctrl',
  shift: 'shift',
  alt: 'alt',
  option: 'alt',
  meta: 'meta',
  super: 'meta',
  cmd: 'meta',
  command: 'meta',
  win: 'meta',
};

const modifierName = z.string().transform((name, context) => {
  const modifier = MODIFIER_SPELLINGS[name.toLowerCase()];
  if (modifier === undefined) {
    const valid = Object.keys(MODIFIER_SPELLINGS).join(', ');
    context.addIssue({ code: 'custom', message: `Unknown modifier "${name}"; use ${valid}.` });
    return z.NEVER;
  }
  return modifier;
});

/** How a screen command of the API becomes one action of the agent's vocabulary. */
interface ScreenCommand {
  parameters: z.ZodType;
  toAction(parameters: any): AgentAction;
}

const screenCommands: Partial<Record<ActionCommand, ScreenCommand>> = {
  click: {
    parameters: z.object({ ...point, button: z.enum(['left', 'right', 'middle']).default('left') }),
    toAction: (p) => ({ type: 'click', x: p.x, y: p.y, button: p.button }),
  },
  click_with_modifiers: {
    parameters: z.object({
      ...point,
      button: z.enum(['left', 'right', 'middle']).default('left'),
      modifiers: z.array(modifierName).min(1).max(4),
    }),
    toAction: (p) => ({
      type: 'click',
      x: p.x,
      y: p.y,
      button: p.button,
      modifiers: [...new Set<ClickModifier>(p.modifiers)],
    }),
  },
  double_click: {
    parameters: z.object(point),
    toAction: (p) => ({ type: 'double_click', x: p.x, y: p.y }),
  },
  type: {
    parameters: z.object({ text: z.string().min(1).max(100_000) }),
    toAction: (p) => ({ type: 'type', text: p.text }),
  },
  key_press: {
    parameters: z.object({ key: z.string().min(1).max(200) }),
    toAction: (p) => ({ type: 'key', keys: p.key }),
  },
  key_combo: {
    parameters: z.object({
      keys: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(50)).min(1).max(8)]),
    }),
    toAction: (p) => ({ type: 'key', keys: Array.isArray(p.keys) ? p.keys.join('+') : p.keys }),
  },
  scroll: {
    parameters: z.object({
      ...point,
      delta_x: z.number().int().min(-100_000).max(100_000).default(0),
      delta_y: z.number().int().min(-100_000).max(100_000).default(0),
    }),
    toAction: (p) => ({ type: 'scroll', x: p.x, y: p.y, delta_x: p.delta_x, delta_y: p.delta_y }),
  },
  drag: {
    parameters: z.object({
      start_x: coordinate,
      start_y: coordinate,
      end_x: coordinate,
      end_y: coordinate,
    }),
    toAction: (p) => ({
      type: 'drag',
      from: { x: p.start_x, y: p.start_y },
      to: { x: p.end_x, y: p.end_y },
    }),
  },
  browser_navigate: {
    parameters: z.object({ url: z.string().url().max(8192) }),
    toAction: (p) => ({ type: 'navigate', url: p.url }),
  },
};

/** The screen command's definition, if this server performs it as an agent action. */
export function screenCommand(command: ActionCommand): ScreenCommand | undefined {
  return screenCommands[command];
}

/** The commands this server performs; browser and window ones need a machine that has them. */
export function offeredCommands(): ActionCommand[] {
  const screen = Object.keys(screenCommands) as ActionCommand[];
  return [
    'screenshot',
    ...screen,
    ...browserCommandNames(),
    ...windowCommandNames(),
    ...workspaceCommandNames(),
  ];
}

/** The scope a key needs for a command, as the reference assigns them. */
export function scopeOf(command: ActionCommand): Scope {
  if (command.startsWith('terminal_')) {
    return 'terminal:exec';
  }
  if (command === 'browser_execute') {
    return 'browser:execute';
  }
  const writes = ['file_write', 'file_edit', 'file_append', 'file_delete', 'directory_delete'];
  if (writes.includes(command)) {
    return 'files:write';
  }
  if (command.startsWith('file_') || command === 'directory_list') {
    return 'files:read';
  }
  return 'actions:exec';
}
