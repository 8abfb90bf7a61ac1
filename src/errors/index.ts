export { AppError, isAppError, notFound, invalidState, validationError } from './app-error.js';
export type { AppErrorOptions } from './app-error.js';
export { errorCatalogue } from './catalogue.js';
export type { ErrorCode, ErrorType, ErrorDefinition } from './catalogue.js';
