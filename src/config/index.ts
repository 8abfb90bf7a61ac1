export { loadConfig, ConfigSchema } from './config.js';
export type { Config, ConfigInput } from './config.js';
