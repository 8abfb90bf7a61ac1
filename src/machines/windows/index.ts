export { WindowCommandFailure, windowCommand, windowCommandNames } from './window-commands.js';
export type { WindowCommand } from './window-commands.js';
export type { WindowHost, WindowInfo, WindowTool } from './window-host.js';
export { listWindows, stackingOrder } from './window-list.js';
