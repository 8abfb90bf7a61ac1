export { checkWebhookUrl, guardedLookup, isPublicUnicast } from './address-guard.js';
export { WebhookDeliverer } from './deliverer.js';
export type { WebhookDelivererDeps } from './deliverer.js';
export { createDeliveryHook, webhookStatuses } from './delivery-hook.js';
export type { DeliveryHookDeps, WebhookPayload, WebhookStatus } from './delivery-hook.js';
export {
  defaultToleranceSeconds,
  generateWebhookSecret,
  signPayload,
  verifySignature,
} from './signature.js';
export type { RawBody, VerifyOptions } from './signature.js';
