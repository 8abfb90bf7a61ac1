import { z } from 'zod';

import { allScopes } from './scopes.js';

export const CreateApiKeyRequest = z
  .object({
    name: z.string().min(1).max(100).regex(/\S/, 'name must not be blank'),
    scopes: z
      .array(z.enum(allScopes))
      .max(allScopes.length)
      .refine((list) => new Set(list).size === list.length, 'scopes must be unique')
      .optional(),
  })
  .strict();

export const ApiKeyResponse = z.object({
  key: z.string(),
  key_id: z.string(),
  name: z.string(),
  tier: z.enum(['free', 'starter', 'professional', 'enterprise']),
  scopes: z.array(z.string()),
  created_at: z.string(),
  request_id: z.string(),
});

export const ApiKeyListItem = z.object({
  key_id: z.string(),
  name: z.string(),
  tier: z.string(),
  scopes: z.array(z.string()),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  key_prefix: z.string(),
});

export const ListApiKeysResponse = z.object({
  keys: z.array(ApiKeyListItem),
  request_id: z.string(),
});

export const KeyIdParams = z.object({
  key_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/),
});

export const RevokeApiKeyResponse = z.object({
  status: z.literal('ok'),
  key_id: z.string(),
  request_id: z.string(),
});

export const CreateOrganizationRequest = z
  .object({
    name: z.string().min(1).max(100).regex(/\S/, 'name must not be blank'),
    initial_credits: z.number().int().min(0).max(100_000_000).default(0),
  })
  .strict();

export const OrganizationResponse = z.object({
  object: z.literal('organization'),
  id: z.string(),
  name: z.string(),
  api_key: z.string(),
  balance_credits: z.number().int(),
  request_id: z.string(),
});
