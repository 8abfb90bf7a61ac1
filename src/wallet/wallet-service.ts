import type { Kysely } from 'kysely';

import type { Clock, IdGenerator } from '../core/index.js';
import type { Database, Store } from '../store/index.js';
import { transaction } from '../store/index.js';
import { ledgerSchemaVersion, listLedgerEntries } from './ledger-entries.js';
import type { ChargeOutcome, LedgerEntry, LedgerFilter } from './ledger-entries.js';

type Trx = Kysely<Database>;

/**
 * The prepaid wallet of each organization: a balance and the ledger that explains it.
 * Every entry has a unique key, so a step is charged (and refunded) at most once, also
 * when a worker repeats it after a crash; the balance never goes below zero.
 */
export class WalletService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async balance(organizationId: string, trx: Trx = this.store.db): Promise<number> {
    const row = await trx
      .selectFrom('wallets')
      .select('balance_credits')
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    return row?.balance_credits ?? 0;
  }

  async topUp(organizationId: string, amountCredits: number): Promise<LedgerEntry> {
    return transaction(this.store, async (trx) => {
      await this.ensureWallet(trx, organizationId);
      const balanceAfter = (await this.adjust(trx, organizationId, amountCredits)) ?? 0;
      const id = this.ids.prefixed('topup', 8);
      return this.record(trx, organizationId, {
        id,
        kind: 'top_up',
        amountCredits,
        balanceAfter,
        runId: null,
        step: null,
        uniqueKey: `top_up:${id}`,
      });
    });
  }

  /**
   * Takes the price of one step if the balance covers it. A step is paid once: asking again
   * for a step whose charge stands does nothing; after a refund it may be charged anew.
   */
  async chargeStep(
    trx: Trx,
    organizationId: string,
    runId: string,
    step: number,
    priceCredits: number,
  ): Promise<ChargeOutcome> {
    const { charges, refunds } = await this.stepEntries(trx, runId, step);
    if (charges > refunds) {
      return { kind: 'already_charged' };
    }

    await this.ensureWallet(trx, organizationId);
    const balanceAfter = await this.adjust(trx, organizationId, -priceCredits);
    if (balanceAfter === undefined) {
      return { kind: 'insufficient', balance: await this.balance(organizationId, trx) };
    }

    await this.record(trx, organizationId, {
      id: this.ids.prefixed('chg', 8),
      kind: 'charge',
      amountCredits: -priceCredits,
      balanceAfter,
      runId,
      step,
      uniqueKey: `charge:${runId}:${step}:${charges + 1}`,
    });
    return { kind: 'charged', balanceAfter };
  }

  /** Gives back the standing charge of a step that did not complete; returns the credits. */
  async refundStep(trx: Trx, organizationId: string, runId: string, step: number): Promise<number> {
    const { charges, refunds, lastChargeCredits } = await this.stepEntries(trx, runId, step);
    if (charges <= refunds) {
      return 0;
    }

    const balanceAfter = (await this.adjust(trx, organizationId, lastChargeCredits)) ?? 0;
    await this.record(trx, organizationId, {
      id: this.ids.prefixed('rfd', 8),
      kind: 'refund',
      amountCredits: lastChargeCredits,
      balanceAfter,
      runId,
      step,
      uniqueKey: `refund:${runId}:${step}:${charges}`,
    });
    return lastChargeCredits;
  }

  /**
   * Takes a one-time fee, such as a snapshot's, named by `feeKey` (`snapshot:<id>`): once per
   * key, so a repeated request cannot charge it twice. A price of 0 records nothing.
   */
  async chargeFee(
    trx: Trx,
    organizationId: string,
    feeKey: string,
    priceCredits: number,
  ): Promise<ChargeOutcome> {
    if (await this.hasEntry(trx, `fee:${feeKey}`)) {
      return { kind: 'already_charged' };
    }
    await this.ensureWallet(trx, organizationId);
    const balanceAfter = await this.adjust(trx, organizationId, -priceCredits);
    if (balanceAfter === undefined) {
      return { kind: 'insufficient', balance: await this.balance(organizationId, trx) };
    }
    if (priceCredits > 0) {
      await this.record(trx, organizationId, {
        id: this.ids.prefixed('chg', 8),
        kind: 'charge',
        amountCredits: -priceCredits,
        balanceAfter,
        runId: null,
        step: null,
        uniqueKey: `fee:${feeKey}`,
      });
    }
    return { kind: 'charged', balanceAfter };
  }

  /** Gives back a fee taken by `chargeFee`, at most once; returns the credits given back. */
  async refundFee(trx: Trx, organizationId: string, feeKey: string): Promise<number> {
    const charge = await trx
      .selectFrom('ledger_entries')
      .select('amount_credits')
      .where('unique_key', '=', `fee:${feeKey}`)
      .executeTakeFirst();
    if (!charge || (await this.hasEntry(trx, `refund:fee:${feeKey}`))) {
      return 0;
    }

    const credits = -Number(charge.amount_credits);
    const balanceAfter = (await this.adjust(trx, organizationId, credits)) ?? 0;
    await this.record(trx, organizationId, {
      id: this.ids.prefixed('rfd', 8),
      kind: 'refund',
      amountCredits: credits,
      balanceAfter,
      runId: null,
      step: null,
      uniqueKey: `refund:fee:${feeKey}`,
    });
    return credits;
  }

  /** Newest first; `startingAfter` continues after that entry of an earlier page. */
  async ledger(
    organizationId: string,
    limit: number,
    filter: LedgerFilter = {},
  ): Promise<LedgerEntry[]> {
    return listLedgerEntries(this.store.db, organizationId, limit, filter);
  }

  async ensureWallet(trx: Trx, organizationId: string): Promise<void> {
    await trx
      .insertInto('wallets')
      .values({
        organization_id: organizationId,
        balance_credits: 0,
        updated_at: this.clock.now().toISOString(),
      })
      .onConflict((conflict) => conflict.column('organization_id').doNothing())
      .execute();
  }

  /** Adds `delta` unless that would take the balance below zero; the new balance or undefined. */
  private async adjust(
    trx: Trx,
    organizationId: string,
    delta: number,
  ): Promise<number | undefined> {
    const row = await trx
      .updateTable('wallets')
      .set((eb) => ({
        balance_credits: eb('balance_credits', '+', delta),
        updated_at: this.clock.now().toISOString(),
      }))
      .where('organization_id', '=', organizationId)
      .where('balance_credits', '>=', -delta)
      .returning('balance_credits')
      .executeTakeFirst();
    return row?.balance_credits;
  }

  private async hasEntry(trx: Trx, uniqueKey: string): Promise<boolean> {
    const row = await trx
      .selectFrom('ledger_entries')
      .select('id')
      .where('unique_key', '=', uniqueKey)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async stepEntries(trx: Trx, runId: string, step: number) {
    const rows = await trx
      .selectFrom('ledger_entries')
      .select(['kind', 'amount_credits'])
      .where('run_id', '=', runId)
      .where('step', '=', step)
      .orderBy('created_at')
      .execute();
    const charges = rows.filter((row) => row.kind === 'charge');
    return {
      charges: charges.length,
      refunds: rows.filter((row) => row.kind === 'refund').length,
      lastChargeCredits: -(charges.at(-1)?.amount_credits ?? 0),
    };
  }

  private async record(
    trx: Trx,
    organizationId: string,
    entry: Omit<LedgerEntry, 'createdAt'> & { uniqueKey: string },
  ): Promise<LedgerEntry> {
    const createdAt = this.clock.now().toISOString();
    await trx
      .insertInto('ledger_entries')
      .values({
        id: entry.id,
        organization_id: organizationId,
        kind: entry.kind,
        amount_credits: entry.amountCredits,
        balance_after: entry.balanceAfter,
        run_id: entry.runId,
        step: entry.step,
        unique_key: entry.uniqueKey,
        schema_version: ledgerSchemaVersion,
        created_at: createdAt,
      })
      .execute();
    const { uniqueKey: _uniqueKey, ...rest } = entry;
    return { ...rest, createdAt };
  }
}
