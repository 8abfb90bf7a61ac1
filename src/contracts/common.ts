import { z } from 'zod';

/** The error envelope every failed request answers with. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    type: z.enum([
      'auth_error',
      'validation_error',
      'rate_limit_error',
      'billing_error',
      'not_found_error',
      'state_error',
      'server_error',
      'client_error',
    ]),
    request_id: z.string(),
    retryable: z.boolean(),
    retry_with_same_idempotency_key: z.boolean(),
    suggestion: z.string().optional(),
    retry_after: z.number().int().nullable().optional(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** `limit` of list operations: 1–200. */
export function limitParameter(defaultLimit: number) {
  return z.coerce.number().int().min(1).max(200).default(defaultLimit);
}

/** A UUID, in the lowercase form this server stores. */
export const Uuid = z
  .string()
  .uuid()
  .transform((value) => value.toLowerCase());

/** A non-negative integer cursor written in plain digits (no signs, exponents or spaces). */
export const SeqCursor = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer')
  .transform(Number);

/** Opaque key/value map echoed back. */
export const Metadata = z
  .record(z.string().max(64), z.unknown())
  .refine((value) => Object.keys(value).length <= 50, 'metadata holds at most 50 keys');

export const HealthResponse = z.object({
  status: z.literal('ok'),
  api_version: z.string(),
  service: z.string(),
});
