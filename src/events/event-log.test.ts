import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { systemClock } from '../core/index.js';
import { openTestStore, unitTestStores } from '../store/test-kit.js';
import { EventBus } from './event-bus.js';
import { EventLog } from './event-log.js';

describe.each(unitTestStores)('the event log on %s', (kind) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let log: EventLog;
  const bus = new EventBus();

  beforeAll(async () => {
    store = await openTestStore(kind);
    log = new EventLog(store, systemClock, bus);
  });
  afterAll(() => store.drop());

  it('numbers events 1, 2, 3 … per stream without gaps, also with parallel writers', async () => {
    const writers = Array.from({ length: 40 }, (_, index) =>
      log.write((_trx, emit) =>
        emit(index % 2 === 0 ? 'stream-a' : 'stream-b', {
          type: 'text',
          data: { index },
        }),
      ),
    );
    await Promise.all(writers);

    for (const stream of ['stream-a', 'stream-b']) {
      const events = await log.list(stream, 0, 100);
      expect(events.map((event) => event.seq)).toEqual(
        Array.from({ length: 20 }, (_, index) => index + 1),
      );
    }
  });

  it('writes nothing of a unit of work that fails, and wakes nobody', async () => {
    let woken = 0;
    const unsubscribe = bus.subscribe('stream-c', () => (woken += 1));
    await expect(
      log.write(async (_trx, emit) => {
        await emit('stream-c', { type: 'text', data: {} });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    unsubscribe();

    expect(await log.list('stream-c', 0, 10)).toEqual([]);
    expect(woken).toBe(0);
  });

  it('wakes subscribers and commit listeners after the commit', async () => {
    const heard: number[] = [];
    log.onCommit((events) => heard.push(...events.map((event) => event.seq)));
    let woken = 0;
    const unsubscribe = bus.subscribe('stream-d', () => (woken += 1));
    await log.write(async (_trx, emit) => {
      await emit('stream-d', { type: 'status', data: { status: 'queued' } });
      await emit('stream-d', { type: 'status', data: { status: 'running' } });
    });
    unsubscribe();

    expect(heard).toEqual([1, 2]);
    expect(woken).toBe(1);
    expect((await log.list('stream-d', 1, 10)).map((event) => event.seq)).toEqual([2]);
  });
});
