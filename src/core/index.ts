export { systemClock, toIso } from './clock.js';
export type { Clock } from './clock.js';
export { randomIds } from './ids.js';
export type { IdGenerator } from './ids.js';
export { sleep, isAbortError } from './abort.js';
