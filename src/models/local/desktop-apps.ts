import type { AgentAction } from '../../contracts/index.js';
import { findInText, screenTextOf, textVisible } from './find-target.js';
import type { TextLine } from './screen-text.js';
import type { AppName } from './task-plan.js';

/** What shows an application is on screen (OCR of its title or menus), and how to start it. */
const desktopApps: Record<
  Exclude<AppName, 'browser'>,
  { signs: string[]; pattern?: RegExp; command?: string }
> = {
  // openbox titles the xterm window "xterm"; it runs on every desktop machine. Its prompt
  // (user@host:dir$) is small, so OCR garbles it: the user's name ("root", or a machine
  // user's "deskhand-…") or an "@…:" is enough to count.
  terminal: { signs: ['xterm'], pattern: /\broot\b|deskhand-|\w@[\w-]+:|^i?root/m },
  editor: { signs: ['Mousepad'], command: 'mousepad' },
  calculator: { signs: ['galculator', 'Calculator'], command: 'galculator' },
};

/** Tries of opening an application: bring the terminal forward, start it, look again. */
export const OPEN_ATTEMPTS = 5;
const START_WAIT_MS = 2500;

export type OpenDecision =
  { kind: 'shown' } | { kind: 'act'; actions: AgentAction[]; what: string };

export function appShown(app: AppName, lines: TextLine[]): boolean {
  if (app === 'browser') {
    return true;
  }
  const screen = screenTextOf(lines);
  const { signs, pattern } = desktopApps[app];
  return signs.some((sign) => textVisible(screen, sign)) || (pattern?.test(screen) ?? false);
}

/**
 * On a desktop: an application on screen needs nothing; the terminal is brought forward with
 * alt+Tab (openbox cycles windows); another application is started from the terminal, as a
 * person at this desktop would.
 */
export function openOnDesktop(app: AppName, lines: TextLine[]): OpenDecision {
  if (app === 'browser' || appShown(app, lines)) {
    return { kind: 'shown' };
  }
  const { command } = desktopApps[app];
  if (command === undefined || !appShown('terminal', lines)) {
    return {
      kind: 'act',
      actions: [{ type: 'key', keys: 'alt+Tab' }],
      what: 'bring the next window forward with alt+Tab',
    };
  }
  const title = findInText(lines, 'xterm');
  return {
    kind: 'act',
    actions: [
      // The title bar focuses the terminal without touching what is typed in it.
      ...(title
        ? [{ type: 'click' as const, x: title.x, y: title.y, button: 'left' as const }]
        : []),
      { type: 'type', text: `${command} >/dev/null 2>&1 &` },
      { type: 'key', keys: 'Enter' },
      { type: 'wait', ms: START_WAIT_MS },
    ],
    what: `start ${command} from the terminal`,
  };
}
