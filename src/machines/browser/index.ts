export { createBrowserDriver } from './browser-driver.js';
export type { BrowserDriverLogger, BrowserDriverOptions } from './browser-driver.js';
