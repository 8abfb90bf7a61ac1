export { KeyService } from './key-service.js';
export type { AuthContext, ApiKeyRecord, CreatedApiKey } from './key-service.js';
export { bootstrapAdmin, readAdminKey, adminKeyFile } from './bootstrap.js';
export type { BootstrapResult } from './bootstrap.js';
export { keyRoutes } from './key-routes.js';
export type { KeyRouteDeps } from './key-routes.js';
