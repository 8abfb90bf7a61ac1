export { loadConfig, ConfigSchema, defaultDataDir } from './config.js';
export type { Config, ConfigInput } from './config.js';
