import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import type { Api } from './support/api.js';
import { testStores } from './support/server.js';
import { eventsOf, useServer } from './support/suite.js';
import { Receiver } from './support/webhook-receiver.js';
import type { Received } from './support/webhook-receiver.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The timestamp of a `Coasty-Signature`, after checking it signs `rawBody` with `secret`. */
function verifiedTimestamp(secret: string, received: Received): number {
  const header = String(received.headers['coasty-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  expect(match, `signature header '${header}'`).not.toBeNull();
  const [, timestamp, digest] = match!;
  const expected = createHmac('sha256', secret)
    .update(`${timestamp}.${received.rawBody}`)
    .digest('hex');
  expect(digest).toBe(expected);
  return Number(timestamp);
}

/** Creates a machine and a run on it that reports to `webhookUrl`. */
async function createRun(api: Api, task: string, webhookUrl: string) {
  const machineId = await api.machine();
  const created = await api.post('/v1/runs', {
    machine_id: machineId,
    task,
    webhook_url: webhookUrl,
  });
  expect(created.status).toBe(200);
  return created.body;
}

async function statusEvent(api: Api, runId: string, status: string) {
  const events = await eventsOf(api, runId);
  const matching = events.filter(
    (event) => event.type === 'status' && event.data.status === status,
  );
  expect(matching).toHaveLength(1);
  return matching[0];
}

/** An agent script that ends the run at its first step. */
function finishing(success = true) {
  return () => ({ actions: [], done: { success, summary: success ? 'done' : 'could not' } });
}

describe.each(testStores)('webhooks on %s', (store) => {
  describe('with a backoff over a second', () => {
    const suite = useServer(store, {
      DESKHAND_WEBHOOK_BACKOFF_MS: '1300',
      DESKHAND_WEBHOOK_MAX_ATTEMPTS: '3',
    });

    it('retries run.succeeded after two 500s: one delivery id, re-signed each time', async () => {
      const { api, agent } = suite;
      await api.topUp(1000);
      agent.on('succeed for the webhook', finishing());
      const statusesSeen: string[] = [];
      const runCreated = gate();
      let createdId = '';
      const receiver = await new Receiver(async (_received, index) => {
        await runCreated.promise;
        statusesSeen.push((await api.get(`/v1/runs/${createdId}`)).body.status);
        return { status: index < 2 ? 500 : 200 };
      }).start();

      const created = await createRun(api, 'succeed for the webhook', receiver.url);
      createdId = created.id;
      runCreated.open();
      expect(created.webhook_secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      const secret: string = created.webhook_secret;
      expect((await api.get(`/v1/runs/${created.id}`)).body.webhook_secret).toBeNull();

      const received = await receiver.waitFor(3);
      await receiver.expectNoMoreThan(3, 1500);
      await receiver.stop();

      const deliveryIds = received.map((request) => request.headers['coasty-delivery-id']);
      expect(deliveryIds[0]).toMatch(/^dlv_/);
      expect(new Set(deliveryIds)).toEqual(new Set([deliveryIds[0]]));
      expect(received.map((request) => request.headers['coasty-event-type'])).toEqual([
        'run.succeeded',
        'run.succeeded',
        'run.succeeded',
      ]);
      expect(received.map((request) => request.rawBody)).toEqual(
        Array(3).fill(received[0]!.rawBody),
      );

      const timestamps = received.map((request) => verifiedTimestamp(secret, request));
      for (const [index, request] of received.entries()) {
        const receivedAtSeconds = Math.floor(request.receivedAtMs / 1000);
        expect(timestamps[index]).toBeLessThanOrEqual(receivedAtSeconds);
        expect(receivedAtSeconds - timestamps[index]!).toBeLessThanOrEqual(2);
      }
      expect(timestamps[1]).toBeGreaterThan(timestamps[0]!);
      expect(timestamps[2]).toBeGreaterThan(timestamps[1]!);

      const event = await statusEvent(api, created.id, 'succeeded');
      expect(JSON.parse(received[0]!.rawBody)).toEqual({
        id: deliveryIds[0],
        type: 'run.succeeded',
        created_at: event.created_at,
        data: { run_id: created.id, seq: event.seq, ...event.data },
      });
      expect(event.data.status).toBe('succeeded');

      expect(statusesSeen).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const run = await api.get(`/v1/runs/${created.id}`);
      expect(run.body).toMatchObject({ status: 'succeeded', steps_completed: 1 });
    });
  });

  describe('with three attempts at most', () => {
    const suite = useServer(store, { DESKHAND_WEBHOOK_MAX_ATTEMPTS: '3' });

    it('gives up after three 500s from a receiver and leaves the run as it was', async () => {
      const { api, agent } = suite;
      await api.topUp(1000);
      agent.on('fail for the webhook', finishing(false));
      const receiver = await new Receiver(() => ({ status: 500 })).start();

      const created = await createRun(api, 'fail for the webhook', receiver.url);
      const ended = await api.waitForRun(created.id);
      const eventCount = (await eventsOf(api, created.id)).length;

      const received = await receiver.waitFor(3);
      await receiver.expectNoMoreThan(3, 1500);
      await receiver.stop();

      expect(new Set(received.map((request) => request.headers['coasty-delivery-id'])).size).toBe(
        1,
      );
      expect(JSON.parse(received[0]!.rawBody)).toMatchObject({
        type: 'run.failed',
        data: { run_id: created.id, status: 'failed' },
      });
      const after = await api.get(`/v1/runs/${created.id}`);
      expect({ ...after.body, request_id: null }).toEqual({ ...ended, request_id: null });
      expect(after.body.status).toBe('failed');
      expect(await eventsOf(api, created.id)).toHaveLength(eventCount);
    });

    it('delivers run.awaiting_human on pause, then run.succeeded after the resume', async () => {
      const { api, agent } = suite;
      await api.topUp(1000);
      agent.on('pause for the webhook', ({ step }) =>
        step === 1
          ? { actions: [], needs_human: { reason: 'Which account?' } }
          : { actions: [], done: { success: true, summary: 'resumed' } },
      );
      const receiver = await new Receiver().start();

      const created = await createRun(api, 'pause for the webhook', receiver.url);
      const [paused] = await receiver.waitFor(1);
      const pausedEvent = await statusEvent(api, created.id, 'awaiting_human');
      expect(paused!.headers['coasty-event-type']).toBe('run.awaiting_human');
      expect(JSON.parse(paused!.rawBody)).toEqual({
        id: paused!.headers['coasty-delivery-id'],
        type: 'run.awaiting_human',
        created_at: pausedEvent.created_at,
        data: { run_id: created.id, seq: pausedEvent.seq, ...pausedEvent.data },
      });
      expect(pausedEvent.data).toMatchObject({
        status: 'awaiting_human',
        awaiting_human_reason: 'Which account?',
      });
      verifiedTimestamp(created.webhook_secret, paused!);
      expect((await api.get(`/v1/runs/${created.id}`)).body.status).toBe('awaiting_human');

      expect((await api.post(`/v1/runs/${created.id}/resume`, { note: 'the first' })).status).toBe(
        200,
      );
      const received = await receiver.waitFor(2);
      await receiver.expectNoMoreThan(2, 500);
      await receiver.stop();

      const succeeded = JSON.parse(received[1]!.rawBody);
      expect(succeeded).toMatchObject({
        type: 'run.succeeded',
        data: { run_id: created.id, status: 'succeeded' },
      });
      expect(succeeded.id).not.toBe(paused!.headers['coasty-delivery-id']);
      expect(succeeded.data.seq).toBeGreaterThan(pausedEvent.seq);
    });

    it('waits as long as a 429 Retry-After asks before trying again', async () => {
      const { api, agent } = suite;
      await api.topUp(1000);
      agent.on('succeed behind a rate limit', finishing());
      const receiver = await new Receiver((_received, index) =>
        index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
      ).start();

      const created = await createRun(api, 'succeed behind a rate limit', receiver.url);
      const received = await receiver.waitFor(2);
      await receiver.expectNoMoreThan(2, 500);
      await receiver.stop();

      const waitedMs = received[1]!.receivedAtMs - received[0]!.receivedAtMs;
      expect(waitedMs).toBeGreaterThanOrEqual(2000);
      expect(waitedMs).toBeLessThan(7000);
      const [first, second] = received.map((request) =>
        verifiedTimestamp(created.webhook_secret, request),
      );
      expect(second! - first!).toBeGreaterThanOrEqual(2);
      expect(received[1]!.headers['coasty-delivery-id']).toBe(
        received[0]!.headers['coasty-delivery-id'],
      );
    });

    it('refuses a webhook URL that is not http or https with 422 and creates no run', async () => {
      const { api } = suite;
      const org = await api.post('/v1/organizations', { name: 'ftp hooks', initial_credits: 100 });
      const client = api.withKey(org.body.api_key);
      const machineId = await client.machine();

      const refused = await client.post('/v1/runs', {
        machine_id: machineId,
        task: 'anything',
        webhook_url: 'ftp://x',
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ type: 'validation_error', retryable: false });
      expect((await client.get('/v1/runs')).body.data).toEqual([]);
      expect((await client.get('/v1/wallet')).body.balance_credits).toBe(100);
    });
  });

  describe('without private addresses allowed', () => {
    const suite = useServer(store, { DESKHAND_WEBHOOK_ALLOW_PRIVATE: 'false' });

    it('refuses loopback and private webhook URLs: 422 WEBHOOK_URL_REFUSED, no run', async () => {
      const { api, agent } = suite;
      await api.topUp(1000);
      const machineId = await api.machine();
      const receiver = await new Receiver().start();
      const port = new URL(receiver.url).port;

      for (const webhookUrl of [
        `http://127.0.0.1:${port}/`,
        `http://localhost:${port}/`,
        `http://[::1]:${port}/`,
        'http://10.1.2.3/hooks',
      ]) {
        const refused = await api.post('/v1/runs', {
          machine_id: machineId,
          task: 'anything',
          webhook_url: webhookUrl,
        });
        expect(refused.status, webhookUrl).toBe(422);
        expect(refused.body.error).toMatchObject({
          code: 'WEBHOOK_URL_REFUSED',
          type: 'validation_error',
          retryable: false,
        });
        expect(refused.body.error.request_id).toBe(refused.headers.get('x-coasty-request-id'));
      }
      expect((await api.get('/v1/runs')).body.data).toEqual([]);

      agent.on('no webhook at all', finishing());
      const accepted = await api.post('/v1/runs', {
        machine_id: machineId,
        task: 'no webhook at all',
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body.webhook_secret).toBeNull();
      expect((await api.waitForRun(accepted.body.id)).status).toBe('succeeded');
      await receiver.stop();
      expect(receiver.received).toEqual([]);
    });
  });
});
