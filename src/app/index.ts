export { createApp } from './create-app.js';
export type { App, AppDeps } from './create-app.js';
