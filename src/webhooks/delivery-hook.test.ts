import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { randomIds, systemClock } from '../core/index.js';
import { openStore, transaction } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createDeliveryHook } from './delivery-hook.js';
import { createRun, deliveryOf, finishRun } from './test-kit.js';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'deskhand-webhook-hook-'));
  store = await openStore({ dataDir, databaseSchema: 'public' });
});

afterEach(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function countDeliveries(): Promise<number> {
  const rows = await store.db.selectFrom('webhook_deliveries').select('id').execute();
  return rows.length;
}

describe('createDeliveryHook', () => {
  it.each(['awaiting_human', 'succeeded', 'failed', 'cancelled', 'timed_out'])(
    'queues a run.%s delivery with the event in its payload',
    async (status) => {
      const run = await createRun(store, 'https://hooks.example.com/coasty');
      const event = await finishRun(store, run.id, status);

      const delivery = await deliveryOf(store, run.id);

      expect(delivery).toMatchObject({
        event_type: `run.${status}`,
        event_seq: event.seq,
        url: 'https://hooks.example.com/coasty',
        status: 'pending',
        attempts: 0,
        lease_until: null,
      });
      expect(delivery?.id).toMatch(/^dlv_/);
      expect(delivery?.next_attempt_at).toBe(delivery?.created_at);
      expect(JSON.parse(delivery!.payload)).toEqual({
        id: delivery?.id,
        type: `run.${status}`,
        created_at: event.createdAt,
        data: { run_id: run.id, seq: event.seq, status },
      });
    },
  );

  it('queues nothing for a status that is not announced', async () => {
    const run = await createRun(store, 'https://hooks.example.com/coasty');

    await finishRun(store, run.id, 'running');

    expect(await countDeliveries()).toBe(0);
  });

  it('queues nothing for a run without a webhook URL', async () => {
    const run = await createRun(store, null);

    await finishRun(store, run.id, 'succeeded');

    expect(await countDeliveries()).toBe(0);
  });

  it('queues nothing for a stream that is not a run', async () => {
    const hook = createDeliveryHook({ ids: randomIds, clock: systemClock });
    const event = {
      streamId: 'wfr_1',
      seq: 1,
      type: 'status' as const,
      data: { status: 'succeeded' },
      createdAt: new Date().toISOString(),
    };

    await transaction(store, (trx) => hook(trx, [event]));

    expect(await countDeliveries()).toBe(0);
  });

  it('queues an event appended twice only once', async () => {
    const run = await createRun(store, 'https://hooks.example.com/coasty');
    const event = await finishRun(store, run.id, 'succeeded');
    const hook = createDeliveryHook({ ids: randomIds, clock: systemClock });

    await transaction(store, (trx) => hook(trx, [event]));

    expect(await countDeliveries()).toBe(1);
  });
});
