export { buildHttpServer } from './server.js';
export type { HttpServerDeps } from './server.js';
export { defineRoute } from './route.js';
export type { AnyRoute, RouteContext, RouteDefinition, RouteResult } from './route.js';
export { IdempotencyStore, hashRequest } from './idempotency.js';
export { buildOpenApiDocument } from './openapi.js';
export { errorEnvelope, toAppError } from './error-reply.js';
