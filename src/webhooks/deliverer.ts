import { performance } from 'node:perf_hooks';

import type { Clock, IdGenerator } from '../core/index.js';
import type { Logger } from '../log/index.js';
import type { Store } from '../store/index.js';
import { logAttempt } from './attempt-log.js';
import { claimDelivery, loadRunSigning, recordAttempt, selectDue } from './delivery-store.js';
import type { DeliveryRow, RunSigning } from './delivery-store.js';
import { decide } from './retry-policy.js';
import { deliveryHeaders, sendDelivery } from './send-delivery.js';
import type { SendOutcome } from './send-delivery.js';
import { signPayload } from './signature.js';

/** Deliveries attempted at once by one server; more wait for the next poll. */
const maxInFlight = 16;

/** Added to the attempt timeout for the lease, covering the reads and writes around it. */
const leaseMarginMs = 30_000;

export interface WebhookDelivererDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Deliver to loopback and private addresses too (DESKHAND_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Attempts in all before a delivery is marked failed (DESKHAND_WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** The first retry's delay in ms; each retry doubles it (DESKHAND_WEBHOOK_BACKOFF_MS). */
  backoffMs: number;
  /** How long one attempt may take, in ms (DESKHAND_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** How often due deliveries are looked for, in ms. Default 250. */
  pollMs?: number;
  /** How long `stop()` lets attempts finish before aborting them, in ms. Default 5000. */
  stopGraceMs?: number;
}

interface InFlight {
  done: Promise<void>;
  controller: AbortController;
}

/**
 * Sends queued webhook deliveries with retries. Any number of servers may run one over the
 * same database: a delivery is leased to one of them per attempt. Receivers may still see a
 * delivery twice (a server can die after sending, before recording), so each carries a
 * stable `Coasty-Delivery-Id`. A delivery never changes its run.
 */
export class WebhookDeliverer {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly pollMs: number;
  private readonly stopGraceMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;

  constructor(private readonly deps: WebhookDelivererDeps) {
    this.pollMs = deps.pollMs ?? 250;
    this.stopGraceMs = deps.stopGraceMs ?? 5_000;
  }

  /** Starts polling for due deliveries; calling it again while running does nothing. */
  start(): void {
    if (this.loop) {
      return;
    }
    this.running = true;
    this.loop = this.runLoop();
  }

  /** Looks for due deliveries now instead of at the next poll, e.g. after queueing one. */
  wake(): void {
    if (this.wakeUp) {
      this.wakeUp();
    } else {
      this.wakeRequested = true;
    }
  }

  /**
   * Stops polling and waits for attempts in progress; those still running after the grace
   * period are aborted, recorded as failed attempts and left to be retried.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;

    if (!(await this.settledWithin(this.stopGraceMs))) {
      const reason = new Error('The server stopped before the receiver answered.');
      for (const attempt of this.inFlight.values()) {
        attempt.controller.abort(reason);
      }
      await this.allSettled();
    }
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.poll();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'Could not read due webhook deliveries');
      }
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.wakeRequested || !this.running) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wakeUp = done;
    });
  }

  private async poll(): Promise<void> {
    const free = maxInFlight - this.inFlight.size;
    if (free <= 0) {
      return;
    }

    const now = this.deps.clock.now();
    const due = await selectDue(this.deps.store.db, now, free);
    for (const row of due) {
      const lease = new Date(now.getTime() + this.deps.timeoutMs + leaseMarginMs).toISOString();
      if (this.running && (await claimDelivery(this.deps.store.db, row.id, now, lease))) {
        this.launch(row, lease);
      }
    }
  }

  private launch(row: DeliveryRow, lease: string): void {
    const controller = new AbortController();
    const done = this.attempt(row, lease, controller.signal)
      .catch((error: unknown) => {
        // The lease runs out and another poll retries it; the database is what failed.
        this.deps.logger.error({ err: error, deliveryId: row.id }, 'Could not record attempt');
      })
      .finally(() => this.inFlight.delete(row.id));
    this.inFlight.set(row.id, { done, controller });
  }

  private async attempt(row: DeliveryRow, lease: string, signal: AbortSignal): Promise<void> {
    const attempt = row.attempts + 1;
    const run = await loadRunSigning(this.deps.store.db, row.run_id);
    const startedAt = this.deps.clock.now();
    const signatureTimestamp = Math.floor(startedAt.getTime() / 1000);

    const started = performance.now();
    const outcome = await this.send(row, run, signatureTimestamp, signal);
    const durationMs = Math.round(performance.now() - started);

    const now = this.deps.clock.now();
    const decision = decide(outcome, attempt, this.deps, now);
    const record = {
      id: this.deps.ids.prefixed('att'),
      deliveryId: row.id,
      attempt,
      startedAt,
      durationMs,
      statusCode: outcome.kind === 'response' ? outcome.statusCode : null,
      error: decision.kind === 'delivered' ? null : decision.error,
      signatureTimestamp,
    };
    const kept = await recordAttempt(this.deps.store.db, record, decision, lease, now);

    const organizationId = run?.organizationId;
    const statusCode = record.statusCode;
    logAttempt(this.deps.logger, { row, attempt, statusCode, decision, organizationId, kept });
  }

  private send(
    row: DeliveryRow,
    run: RunSigning | undefined,
    timestampSeconds: number,
    signal: AbortSignal,
  ): Promise<SendOutcome> {
    if (!run?.webhookSecret) {
      const error = run ? 'The run has no webhook secret.' : 'The run no longer exists.';
      return Promise.resolve({ kind: 'refused', error });
    }

    // Signed afresh on every attempt, so the receiver's replay window starts at each send.
    const signature = signPayload(run.webhookSecret, timestampSeconds, row.payload);
    return sendDelivery({
      url: row.url,
      body: row.payload,
      headers: deliveryHeaders({ deliveryId: row.id, eventType: row.event_type, signature }),
      allowPrivate: this.deps.allowPrivate,
      timeoutMs: this.deps.timeoutMs,
      signal,
    });
  }

  private async allSettled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()].map((entry) => entry.done));
  }

  /** Whether every attempt in progress settled within `ms`. */
  private async settledWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const settled = await Promise.race([this.allSettled().then(() => true), timeout]);
    clearTimeout(timer);
    return settled;
  }
}
