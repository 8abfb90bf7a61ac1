// Helpers for this folder's tests only: a receiver on loopback and runs set up through the real
// event log, so the append hook and the deliverer are exercised together.
// Test helpers only: tsconfig.build.json keeps test-kit files out of the package.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { randomIds, systemClock } from '../core/index.js';
import { EventBus, EventLog } from '../events/index.js';
import type { StoredEvent } from '../events/index.js';
import type { Store } from '../store/index.js';
import { createDeliveryHook } from './delivery-hook.js';
import type { DeliveryRow } from './delivery-store.js';
import { generateWebhookSecret } from './signature.js';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAtMs: number;
}

/** How the receiver answers one request; `hang` never answers. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  hang?: boolean;
}

/** An HTTP server on 127.0.0.1 answering with `replies` in order, the last one repeated. */
export class Receiver {
  readonly received: ReceivedRequest[] = [];
  onRequest: (() => void) | undefined;
  private readonly server: Server;

  constructor(private readonly replies: Reply[]) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: request.headers, body, receivedAtMs: Date.now() });
        this.onRequest?.();

        const reply = this.replies[Math.min(this.received.length, this.replies.length) - 1];
        if (reply && !reply.hang) {
          response.writeHead(reply.status, reply.headers).end('{"ok":true}');
        }
      });
    });
  }

  /** Listens on an ephemeral loopback port and gives the URL to deliver to. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hook`;
  }

  async waitForRequests(count: number): Promise<void> {
    await waitFor(() => this.received.length >= count, 'requests at the receiver');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Inserts an organization and a running run whose webhook goes to `webhookUrl`. */
export async function createRun(
  store: Store,
  webhookUrl: string | null,
): Promise<{ id: string; secret: string }> {
  const now = new Date().toISOString();
  const organizationId = `org_${randomUUID()}`;
  const run = { id: randomUUID(), secret: generateWebhookSecret() };

  await store.db
    .insertInto('organizations')
    .values({ id: organizationId, name: 'Test', created_at: now })
    .execute();
  await store.db
    .insertInto('runs')
    .values({
      id: run.id,
      organization_id: organizationId,
      machine_id: 'mch_test',
      status: 'running',
      task: 'Book a table for two',
      cua_version: 'v3',
      model: 'test-model',
      max_steps: 20,
      deadline_seconds: 600,
      on_awaiting_human: 'pause',
      webhook_url: webhookUrl,
      webhook_secret: webhookUrl ? run.secret : null,
      variables: '{}',
      secrets: '{}',
      success_criteria: '[]',
      steps_completed: 0,
      credits_charged: 0,
      active_ms: 0,
      created_at: now,
    })
    .execute();
  return run;
}

/** Sets the run's status and emits its `status` event through an event log with the hook. */
export async function finishRun(store: Store, runId: string, status: string): Promise<StoredEvent> {
  const eventLog = new EventLog(store, systemClock, new EventBus());
  eventLog.onAppend(createDeliveryHook({ ids: randomIds, clock: systemClock }));

  return eventLog.write(async (trx, emit) => {
    await trx.updateTable('runs').set({ status }).where('id', '=', runId).execute();
    return emit(runId, { type: 'status', data: { status } });
  });
}

export function deliveryOf(store: Store, runId: string): Promise<DeliveryRow | undefined> {
  return store.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('run_id', '=', runId)
    .executeTakeFirst();
}

export function attemptsOf(store: Store, deliveryId: string) {
  return store.db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .execute();
}

/** Waits for the run's delivery to leave `pending`, and gives it. */
export async function waitUntilDone(store: Store, runId: string): Promise<DeliveryRow> {
  let delivery: DeliveryRow | undefined;
  await waitFor(async () => {
    delivery = await deliveryOf(store, runId);
    return delivery !== undefined && delivery.status !== 'pending';
  }, 'the delivery to finish');
  return delivery!;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
