import { createHash } from 'node:crypto';

import type { Clock } from '../core/index.js';
import { sleep } from '../core/index.js';
import { AppError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import type { RouteResult } from './route.js';

const retentionMs = 24 * 60 * 60 * 1000;
// A reservation this old was left by a server that died mid-request; it may be taken over.
const abandonedAfterMs = 5 * 60 * 1000;
const pollIntervalMs = 50;
const keyPattern = /^[A-Za-z0-9_\-:]{1,128}$/;

interface Reservation {
  organizationId: string;
  key: string;
  operation: string;
  requestHash: string;
}

/**
 * Reserve-and-replay for creating operations: the first request with a key runs, a retry
 * with the same body replays its response for 24 h, another body is refused, and a retry
 * while the first still runs waits for it a while, then gets 409.
 */
export class IdempotencyStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly waitMs: number,
  ) {}

  async run(
    organizationId: string,
    key: string,
    operation: string,
    body: unknown,
    execute: () => Promise<RouteResult>,
  ): Promise<RouteResult> {
    if (!keyPattern.test(key)) {
      throw new AppError(
        'VALIDATION_ERROR',
        'Idempotency-Key must be 1-128 characters of A-Z, a-z, 0-9, _, - and :.',
      );
    }
    const reservation = { organizationId, key, operation, requestHash: hashRequest(body) };
    const replay = await this.reserveOrReplay(reservation);
    if (replay) {
      return replay;
    }
    return this.executeReserved(reservation, execute);
  }

  /** The stored outcome of a key, for `GET /v1/idempotency/{key}`. */
  async lookup(organizationId: string, key: string) {
    const row = await this.store.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('key', '=', key)
      .where('expires_at', '>', this.clock.now().toISOString())
      .executeTakeFirst();
    return row;
  }

  private async executeReserved(
    reservation: Reservation,
    execute: () => Promise<RouteResult>,
  ): Promise<RouteResult> {
    let result: RouteResult;
    try {
      result = await execute();
    } catch (error) {
      // Failed requests are not remembered: a retry with the same key runs again.
      await this.release(reservation);
      throw error;
    }

    await this.complete(reservation, result);
    return result;
  }

  private async reserveOrReplay(reservation: Reservation): Promise<RouteResult | undefined> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      if (await this.tryReserve(reservation)) {
        return undefined;
      }
      const row = await this.lookup(reservation.organizationId, reservation.key);
      if (!row) {
        await this.deleteExpired(reservation);
        continue;
      }
      if (row.request_hash !== reservation.requestHash || row.operation !== reservation.operation) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different request.',
        );
      }
      if (row.state === 'completed') {
        return replayOf(row.response_status, row.response_body);
      }
      if (await this.takeOverAbandoned(reservation, row.locked_until)) {
        return undefined;
      }
      if (Date.now() >= deadline) {
        throw new AppError(
          'IDEMPOTENCY_IN_FLIGHT',
          'A request with this Idempotency-Key is still being processed.',
          { retryAfterSeconds: 1 },
        );
      }
      await sleep(pollIntervalMs);
    }
  }

  private async tryReserve(reservation: Reservation): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.store.db
      .insertInto('idempotency_keys')
      .values({
        organization_id: reservation.organizationId,
        key: reservation.key,
        operation: reservation.operation,
        request_hash: reservation.requestHash,
        state: 'in_flight',
        response_status: null,
        response_body: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + retentionMs).toISOString(),
        locked_until: new Date(now.getTime() + abandonedAfterMs).toISOString(),
      })
      .onConflict((conflict) => conflict.columns(['organization_id', 'key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  private async takeOverAbandoned(reservation: Reservation, lockedUntil: string): Promise<boolean> {
    const now = this.clock.now();
    if (lockedUntil > now.toISOString()) {
      return false;
    }
    const result = await this.store.db
      .updateTable('idempotency_keys')
      .set({ locked_until: new Date(now.getTime() + abandonedAfterMs).toISOString() })
      .where('organization_id', '=', reservation.organizationId)
      .where('key', '=', reservation.key)
      .where('state', '=', 'in_flight')
      .where('locked_until', '=', lockedUntil)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  private async complete(reservation: Reservation, result: RouteResult): Promise<void> {
    await this.store.db
      .updateTable('idempotency_keys')
      .set({
        state: 'completed',
        response_status: result.status ?? 200,
        response_body: JSON.stringify(result.body),
      })
      .where('organization_id', '=', reservation.organizationId)
      .where('key', '=', reservation.key)
      .execute();
  }

  private async release(reservation: Reservation): Promise<void> {
    await this.store.db
      .deleteFrom('idempotency_keys')
      .where('organization_id', '=', reservation.organizationId)
      .where('key', '=', reservation.key)
      .where('state', '=', 'in_flight')
      .execute();
  }

  private async deleteExpired(reservation: Reservation): Promise<void> {
    await this.store.db
      .deleteFrom('idempotency_keys')
      .where('organization_id', '=', reservation.organizationId)
      .where('key', '=', reservation.key)
      .where('expires_at', '<=', this.clock.now().toISOString())
      .execute();
  }
}

function replayOf(status: number | null, body: string | null): RouteResult {
  return {
    status: status ?? 200,
    body: body === null ? null : JSON.parse(body),
    headers: {
      'X-Coasty-Idempotent-Replay': 'true',
      'Idempotency-Replayed': 'true',
      'Idempotency-Status': 'completed',
      'X-Credits-Charged': '0',
    },
  };
}

/** SHA-256 of the body as canonical JSON (keys sorted), so key order does not matter. */
export function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
