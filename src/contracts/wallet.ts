import { z } from 'zod';

import { Uuid } from './common.js';

export const WalletResponse = z.object({
  object: z.literal('wallet'),
  organization_id: z.string(),
  balance_credits: z.number().int(),
  balance_cents: z.number().int(),
  step_price_credits: z.number().int(),
  request_id: z.string(),
});

export const TopUpRequest = z
  .object({
    amount_cents: z.number().int().min(1).max(100_000_000),
    /** The wallet to fill; the caller's own by default. */
    organization_id: z.string().min(1).max(64).optional(),
  })
  .strict();

export const TopUpResponse = z.object({
  object: z.literal('wallet.top_up'),
  id: z.string(),
  organization_id: z.string(),
  amount_cents: z.number().int(),
  balance_credits: z.number().int(),
  created_at: z.string(),
  request_id: z.string(),
});

export const LedgerQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  run_id: Uuid.optional(),
  /** Cursor: the id of the last entry of the previous page (`next_cursor`). */
  starting_after: z.string().min(1).max(64).optional(),
});

export const LedgerResponse = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['top_up', 'charge', 'refund']),
      amount_credits: z.number().int(),
      balance_after: z.number().int(),
      run_id: z.string().nullable(),
      step: z.number().int().nullable(),
      created_at: z.string(),
    }),
  ),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
  request_id: z.string(),
});
