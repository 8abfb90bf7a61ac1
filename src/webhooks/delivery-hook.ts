import type { Clock, IdGenerator } from '../core/index.js';
import type { AppendHook, StoredEvent, Transaction } from '../events/index.js';

/** Run statuses that are announced to the run's webhook, each as `run.<status>`. */
export const webhookStatuses = [
  'awaiting_human',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type WebhookStatus = (typeof webhookStatuses)[number];

/** The body of every delivery; it is stored once and sent byte for byte on each attempt. */
export interface WebhookPayload {
  /** The delivery id, also sent as `Coasty-Delivery-Id`. */
  id: string;
  /**
   * `run.<status>`, also sent as `Coasty-Event-Type`; a workflow run's deliveries use the same
   * types, with `data.object` set to `workflow.run`.
   */
  type: `run.${WebhookStatus}`;
  created_at: string;
  data: { run_id: string; seq: number; [field: string]: unknown };
}

export interface DeliveryHookDeps {
  ids: IdGenerator;
  clock: Clock;
}

/**
 * An `EventLog` append hook that queues a delivery for each `status` event announcing one of
 * {@link webhookStatuses} on a run that has a webhook URL. It runs inside the appending
 * transaction, so the delivery exists exactly when the event does.
 */
export function createDeliveryHook(deps: DeliveryHookDeps): AppendHook {
  // The hook runs before the commit; the app wakes the deliverer from EventLog.onCommit.
  return async (trx, events) => {
    for (const event of events) {
      const status = webhookStatusOf(event);
      if (status) {
        await queueDelivery(trx, deps, event, status);
      }
    }
  };
}

function webhookStatusOf(event: StoredEvent): WebhookStatus | undefined {
  if (event.type !== 'status') {
    return undefined;
  }
  const status = event.data['status'];
  return webhookStatuses.find((candidate) => candidate === status);
}

async function queueDelivery(
  trx: Transaction,
  deps: DeliveryHookDeps,
  event: StoredEvent,
  status: WebhookStatus,
): Promise<void> {
  // Runs and workflow runs share the log; a stream is one or the other.
  const run =
    (await trx
      .selectFrom('runs')
      .select(['id', 'organization_id', 'webhook_url'])
      .where('id', '=', event.streamId)
      .executeTakeFirst()) ??
    (await trx
      .selectFrom('workflow_runs')
      .select(['id', 'organization_id', 'webhook_url'])
      .where('id', '=', event.streamId)
      .executeTakeFirst());
  if (!run?.webhook_url) {
    return;
  }

  const id = deps.ids.prefixed('dlv');
  const now = deps.clock.now().toISOString();
  const payload = buildPayload(id, status, event);

  await trx
    .insertInto('webhook_deliveries')
    .values({
      id,
      organization_id: run.organization_id,
      run_id: run.id,
      event_seq: event.seq,
      event_type: payload.type,
      url: run.webhook_url,
      payload: JSON.stringify(payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      last_error: null,
      created_at: now,
      finished_at: null,
    })
    .onConflict((conflict) => conflict.columns(['run_id', 'event_seq']).doNothing())
    .execute();
}

function buildPayload(id: string, status: WebhookStatus, event: StoredEvent): WebhookPayload {
  return {
    id,
    type: `run.${status}`,
    created_at: event.createdAt,
    data: { run_id: event.streamId, seq: event.seq, ...event.data },
  };
}
