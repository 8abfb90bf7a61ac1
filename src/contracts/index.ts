export * from './actions.js';
export * from './common.js';
export * from './events.js';
export * from './keys.js';
export * from './machines.js';
export * from './runs.js';
export * from './wallet.js';
export * from './scopes.js';
