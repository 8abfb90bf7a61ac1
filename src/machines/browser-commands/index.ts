export { browserCommand, browserCommandNames, browserOps } from './browser-commands.js';
export type { BrowserOp } from './browser-commands.js';
export type { BrowserCommand } from './browser-command.js';
export type { BrowserHost, ScreenOffset } from './browser-host.js';
export { describePage } from './page-view.js';
export type { PageView } from './page-view.js';
export { pageElements } from './page-elements.js';
export type { PageElement } from './page-elements.js';
