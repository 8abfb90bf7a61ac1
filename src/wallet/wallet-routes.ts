import {
  LedgerQuery,
  LedgerResponse,
  TopUpRequest,
  TopUpResponse,
  WalletResponse,
} from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import type { Store } from '../store/index.js';
import type { WalletService } from './wallet-service.js';

export interface WalletRouteDeps {
  wallet: WalletService;
  store: Store;
  stepPriceCredits: number;
  /** Called after a top-up, so runs waiting for credits can be told. */
  onTopUp?: (organizationId: string) => void;
}

/** Headers that tell a client what a response cost and what is left (1 credit = 1 cent). */
export function creditHeaders(chargedCredits: number, remainingCredits: number) {
  return {
    'X-Credits-Charged': String(chargedCredits),
    'X-Credits-Remaining': String(remainingCredits),
  };
}

export function walletRoutes(deps: WalletRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/wallet',
      operationId: 'getWallet',
      summary: 'Show the balance of the caller’s wallet',
      tags: ['wallet'],
      scope: 'wallet:read',
      response: WalletResponse,
      handler: async ({ auth, requestId }) => {
        const balance = await deps.wallet.balance(auth.organizationId);
        return {
          headers: creditHeaders(0, balance),
          body: {
            object: 'wallet',
            organization_id: auth.organizationId,
            balance_credits: balance,
            balance_cents: balance,
            step_price_credits: deps.stepPriceCredits,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/wallet/top-ups',
      operationId: 'topUpWallet',
      summary: 'Add credits to a wallet (operators only)',
      tags: ['wallet'],
      scope: 'admin',
      idempotent: true,
      body: TopUpRequest,
      response: TopUpResponse,
      handler: async ({ auth, body, requestId }) => {
        const organizationId = body.organization_id ?? auth.organizationId;
        await requireOrganization(deps.store, organizationId);
        const entry = await deps.wallet.topUp(organizationId, body.amount_cents);
        deps.onTopUp?.(organizationId);
        return {
          headers: creditHeaders(0, entry.balanceAfter),
          body: {
            object: 'wallet.top_up',
            id: entry.id,
            organization_id: organizationId,
            amount_cents: body.amount_cents,
            balance_credits: entry.balanceAfter,
            created_at: entry.createdAt,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/wallet/ledger',
      operationId: 'listLedgerEntries',
      summary: 'List the wallet’s ledger entries, newest first',
      tags: ['wallet'],
      scope: 'wallet:read',
      query: LedgerQuery,
      response: LedgerResponse,
      handler: async ({ auth, query, requestId }) => {
        const entries = await deps.wallet.ledger(auth.organizationId, query.limit + 1, {
          runId: query.run_id,
          startingAfter: query.starting_after,
        });
        const page = entries.slice(0, query.limit);
        const hasMore = entries.length > query.limit;
        return {
          body: {
            object: 'list',
            data: page.map((entry) => ({
              id: entry.id,
              kind: entry.kind,
              amount_credits: entry.amountCredits,
              balance_after: entry.balanceAfter,
              run_id: entry.runId,
              step: entry.step,
              created_at: entry.createdAt,
            })),
            has_more: hasMore,
            next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
            request_id: requestId,
          },
        };
      },
    }),
  ];
}

async function requireOrganization(store: Store, organizationId: string): Promise<void> {
  const row = await store.db
    .selectFrom('organizations')
    .select('id')
    .where('id', '=', organizationId)
    .executeTakeFirst();
  if (!row) {
    throw new AppError('NOT_FOUND', `No organization with id '${organizationId}'.`);
  }
}
