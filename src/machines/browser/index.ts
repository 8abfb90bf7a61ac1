export { createBrowserDriver } from './browser-driver.js';
export type { BrowserDriver, BrowserDriverLogger, BrowserDriverOptions } from './browser-driver.js';
export { PROFILE_DIR } from './chromium-process.js';
