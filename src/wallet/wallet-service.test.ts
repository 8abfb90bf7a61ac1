import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { randomIds, systemClock } from '../core/index.js';
import { transaction } from '../store/index.js';
import { openTestStore, unitTestStores } from '../store/test-kit.js';
import { WalletService } from './wallet-service.js';

describe.each(unitTestStores)('the wallet on %s', (kind) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let wallet: WalletService;

  beforeAll(async () => {
    store = await openTestStore(kind);
    wallet = new WalletService(store, systemClock, randomIds);
    await store.db
      .insertInto('organizations')
      .values([
        { id: 'org_a', name: 'a', created_at: new Date().toISOString() },
        { id: 'org_b', name: 'b', created_at: new Date().toISOString() },
      ])
      .execute();
  });
  afterAll(() => store.drop());

  const charge = (org: string, run: string, step: number, price = 5) =>
    transaction(store, (trx) => wallet.chargeStep(trx, org, run, step, price));
  const refund = (org: string, run: string, step: number) =>
    transaction(store, (trx) => wallet.refundStep(trx, org, run, step));

  it('charges a step once, however often it is asked', async () => {
    await wallet.topUp('org_a', 100);

    expect(await charge('org_a', 'run-1', 1)).toEqual({ kind: 'charged', balanceAfter: 95 });
    expect(await charge('org_a', 'run-1', 1)).toEqual({ kind: 'already_charged' });
    expect(await wallet.balance('org_a')).toBe(95);
  });

  it('refunds a step once, and charges it anew after the refund', async () => {
    expect(await refund('org_a', 'run-1', 1)).toBe(5);
    expect(await refund('org_a', 'run-1', 1)).toBe(0);
    expect(await wallet.balance('org_a')).toBe(100);

    expect(await charge('org_a', 'run-1', 1)).toEqual({ kind: 'charged', balanceAfter: 95 });
    const kinds = (await wallet.ledger('org_a', 10, { runId: 'run-1' })).map((entry) => entry.kind);
    expect(kinds.sort()).toEqual(['charge', 'charge', 'refund']);
  });

  it('never lets the balance go below zero, also with charges in parallel', async () => {
    await wallet.topUp('org_b', 23);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, step) => charge('org_b', 'run-2', step + 1)),
    );

    expect(outcomes.filter((outcome) => outcome.kind === 'charged')).toHaveLength(4);
    expect(outcomes.filter((outcome) => outcome.kind === 'insufficient')).toHaveLength(6);
    expect(await wallet.balance('org_b')).toBe(3);
  });

  it('takes a one-time fee once per key and gives it back once', async () => {
    const fee = (key: string, price: number) =>
      transaction(store, (trx) => wallet.chargeFee(trx, 'org_b', key, price));
    const refundFee = (key: string) =>
      transaction(store, (trx) => wallet.refundFee(trx, 'org_b', key));

    expect(await fee('snapshot:a', 50)).toEqual({ kind: 'insufficient', balance: 3 });
    expect(await fee('snapshot:a', 2)).toEqual({ kind: 'charged', balanceAfter: 1 });
    expect(await fee('snapshot:a', 2)).toEqual({ kind: 'already_charged' });
    expect(await refundFee('snapshot:a')).toBe(2);
    expect(await refundFee('snapshot:a')).toBe(0);
    expect(await refundFee('snapshot:never-charged')).toBe(0);
    expect(await wallet.balance('org_b')).toBe(3);
  });
});
