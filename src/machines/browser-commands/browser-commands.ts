import type { ActionCommand } from '../../contracts/index.js';
import { BrowserCommandFailure, firstLine } from './browser-command.js';
import { pageCommands } from './page-commands.js';
import { readCommands } from './read-commands.js';
import { tabCommands } from './tab-commands.js';
import type { BrowserCommand } from './browser-command.js';

const commands: Record<string, BrowserCommand> = {
  ...pageCommands,
  ...readCommands,
  ...tabCommands,
};

/** The DOM-level browser command of that name, if it is one. */
export function browserCommand(command: ActionCommand): BrowserCommand | undefined {
  const definition = commands[command];
  if (definition === undefined) {
    return undefined;
  }
  return { parameters: definition.parameters, run: explained(definition) };
}

export function browserCommandNames(): ActionCommand[] {
  return Object.keys(commands) as ActionCommand[];
}

/** The reference's `browser/{op}` names and the commands they stand for. */
export const browserOps = {
  open: 'browser_open',
  navigate: 'browser_navigate',
  click: 'browser_click',
  type: 'browser_type',
  dom: 'browser_get_dom',
  clickables: 'browser_get_clickables',
  state: 'browser_state',
  info: 'browser_info',
  scroll: 'browser_scroll',
  close: 'browser_close',
  screenshot: 'browser_screenshot',
  wait: 'browser_wait',
  'list-tabs': 'browser_list_tabs',
  'open-tab': 'browser_open_tab',
  'close-tab': 'browser_close_tab',
  'switch-tab': 'browser_switch_tab',
} as const satisfies Record<string, ActionCommand>;
export type BrowserOp = keyof typeof browserOps;

/** Playwright's multi-line logs become one line a caller can read. */
function explained(definition: BrowserCommand): BrowserCommand['run'] {
  return async (host, parameters, signal) => {
    try {
      return await definition.run(host, parameters, signal);
    } catch (error) {
      if (error instanceof BrowserCommandFailure || signal.aborted) {
        throw error;
      }
      throw new BrowserCommandFailure(`The browser could not do it: ${firstLine(error)}`, {
        cause: error,
      });
    }
  };
}
