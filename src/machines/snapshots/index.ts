export { SnapshotFiles } from './snapshot-files.js';
export type { SnapshotManifest, SnapshotSources } from './snapshot-files.js';
export { SnapshotService, restoreMetadataKey } from './snapshot-service.js';
export type { SnapshotServiceDeps } from './snapshot-service.js';
export { snapshotRoutes } from './snapshot-routes.js';
export { SnapshotCatalog } from './snapshot-catalog.js';
export type { SnapshotFilter } from './snapshot-catalog.js';
export type { SnapshotRouteDeps } from './snapshot-routes.js';
