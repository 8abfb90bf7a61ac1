export { openStore, transaction } from './database.js';
export type { Store, StoreKind, StoreOptions } from './database.js';
export { readJson, writeJson } from './json.js';
export type { Database } from './schema.js';
export { olderThan } from './paging.js';
export type { PageCursor } from './paging.js';
