import type { Kysely } from 'kysely';

import type { Clock } from '../core/index.js';
import type { EventType } from '../contracts/index.js';
import type { Database, Store } from '../store/index.js';
import { readJson, transaction, writeJson } from '../store/index.js';
import type { EventBus } from './event-bus.js';

/** Bumped when the stored shape of an event's data changes; old rows keep being read. */
export const eventSchemaVersion = 1;

export interface NewEvent {
  type: EventType;
  data: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  seq: number;
  createdAt: string;
}

export type Transaction = Kysely<Database>;

/** Called inside the appending transaction, so what it writes commits with the event. */
export type AppendHook = (trx: Transaction, events: StoredEvent[]) => Promise<void>;

/** Collects events written by one unit of work. */
export type Emit = (streamId: string, event: NewEvent) => Promise<StoredEvent>;

/**
 * The durable, gapless log of every stream's events (a stream is a run or a workflow run).
 * An event is committed before anyone hears of it; the bus only wakes up readers.
 */
export class EventLog {
  private readonly hooks: AppendHook[] = [];
  private readonly commitListeners: Array<(events: StoredEvent[]) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  onAppend(hook: AppendHook): void {
    this.hooks.push(hook);
  }

  /** Called after a transaction that wrote events has committed. */
  onCommit(listener: (events: StoredEvent[]) => void): void {
    this.commitListeners.push(listener);
  }

  /**
   * Runs `work` in one transaction with an `emit` for events; state changes and their events
   * commit together, and readers are woken after the commit.
   */
  async write<T>(work: (trx: Transaction, emit: Emit) => Promise<T>): Promise<T> {
    const written: StoredEvent[] = [];
    const result = await transaction(this.store, async (trx) => {
      const emit: Emit = async (streamId, event) => {
        const stored = await this.append(trx, streamId, event);
        written.push(stored);
        return stored;
      };
      return work(trx, emit);
    });

    for (const streamId of new Set(written.map((event) => event.streamId))) {
      this.bus.notify(streamId);
    }
    if (written.length > 0) {
      this.commitListeners.forEach((listener) => listener(written));
    }
    return result;
  }

  async list(streamId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.store.db
      .selectFrom('events')
      .selectAll()
      .where('stream_id', '=', streamId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      streamId: row.stream_id,
      seq: row.seq,
      type: row.type as EventType,
      data: readJson<Record<string, unknown>>(row.data, {}),
      createdAt: row.created_at,
    }));
  }

  private async append(trx: Transaction, streamId: string, event: NewEvent): Promise<StoredEvent> {
    await trx
      .insertInto('event_streams')
      .values({ stream_id: streamId, last_seq: 0 })
      .onConflict((conflict) => conflict.column('stream_id').doNothing())
      .execute();
    // The counter row is locked by this update until commit, so seq is gapless per stream
    // even with several writers on PostgreSQL.
    const { last_seq: seq } = await trx
      .updateTable('event_streams')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
      .where('stream_id', '=', streamId)
      .returning('last_seq')
      .executeTakeFirstOrThrow();

    const stored: StoredEvent = {
      ...event,
      streamId,
      seq,
      createdAt: this.clock.now().toISOString(),
    };
    await trx
      .insertInto('events')
      .values({
        stream_id: streamId,
        seq,
        type: event.type,
        data: writeJson(event.data),
        schema_version: eventSchemaVersion,
        created_at: stored.createdAt,
      })
      .execute();
    for (const hook of this.hooks) {
      await hook(trx, [stored]);
    }
    return stored;
  }
}
