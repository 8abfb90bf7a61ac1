import { createHmac, randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import type { AgentRequest } from './support/agent-server.js';
import { Api } from './support/api.js';
import { testStores } from './support/server.js';
import type { TestServer } from './support/server.js';
import { eventsOf, useServer } from './support/suite.js';
import type { Suite } from './support/suite.js';
import { Receiver } from './support/webhook-receiver.js';
import type { Received } from './support/webhook-receiver.js';

const stepPriceCredits = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 20 ms until it holds, failing after `timeoutMs`. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(20);
  }
}

/** The server's JSON log lines so far, across its restarts. */
function logLines(server: TestServer): Array<Record<string, unknown>> {
  return server.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function signatureIsValid(secret: string, received: Received): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(received.headers['coasty-signature']));
  if (!match) {
    return false;
  }
  const expected = createHmac('sha256', secret)
    .update(`${match[1]}.${received.rawBody}`)
    .digest('hex');
  return match[2] === expected;
}

/** What a whole run's event log must look like however often its server died. */
function expectCleanLog(events: any[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
  expect(events.at(-1).type).toBe('done');
}

/**
 * Clients that follow the server across restarts (each start picks a new port), for the admin
 * and for organizations of their own, so every test has a wallet nothing else touches.
 */
function clients(suite: Suite) {
  const as = (key: string) => new Api(suite.server.url, key);
  return {
    as,
    admin: () => as(suite.server.adminKey),
    async organization(name: string, credits: number) {
      const created = await as(suite.server.adminKey).post('/v1/organizations', {
        name,
        initial_credits: credits,
      });
      expect(created.status).toBe(200);
      return { id: created.body.id as string, key: created.body.api_key as string };
    },
    async crash() {
      await suite.server.kill('SIGKILL');
      await suite.server.start();
    },
  };
}

function stepsAsked(requests: AgentRequest[]): number[] {
  return requests.map((request) => request.step);
}

describe.each(testStores)('crash recovery on %s', (store) => {
  describe('with a webhook backoff of two seconds', () => {
    const suite = useServer(store, { DESKHAND_WEBHOOK_BACKOFF_MS: '2000' });
    const { as, admin, organization, crash } = clients(suite);

    it('resumes a run killed mid model call from its last step, charging steps once', async () => {
      const { agent } = suite;
      const org = await organization('six steps', 1000);
      const machineId = await as(org.key).machine();
      const held = gate();
      let step4Calls = 0;
      agent.on('six steps across a crash', async ({ step }) => {
        if (step === 4 && ++step4Calls === 1) {
          // Answered only once the server that asked is dead.
          await held.promise;
        }
        return step < 6
          ? { actions: [{ type: 'wait', ms: 1 }] }
          : { actions: [], done: { success: true, summary: 'six steps' } };
      });

      const created = await as(org.key).post('/v1/runs', {
        machine_id: machineId,
        task: 'six steps across a crash',
      });
      expect(created.status).toBe(200);
      const runId: string = created.body.id;
      await until('step 4 to be asked', () => stepsAsked(agent.requestsFor(runId)).includes(4));
      const midway = await as(org.key).get(`/v1/runs/${runId}`);
      expect(midway.body).toMatchObject({
        status: 'running',
        steps_completed: 3,
        credits_charged: 4 * stepPriceCredits,
      });

      await crash();
      held.open();
      const client = as(org.key);
      const run = await client.waitForRun(runId);
      expect(run).toMatchObject({
        status: 'succeeded',
        steps_completed: 6,
        credits_charged: 6 * stepPriceCredits,
        cost_cents: 6 * stepPriceCredits,
      });
      expect(run.result).toMatchObject({ success: true, summary: 'six steps' });

      const requests = agent.requestsFor(runId);
      expect(stepsAsked(requests)).toEqual([1, 2, 3, 4, 4, 5, 6]);
      expect(requests[4]!.history.map((entry) => entry.step)).toEqual([1, 2, 3]);

      const events = await eventsOf(client, runId);
      expectCleanLog(events);
      const stepEvents = events.filter((event) => event.type === 'step');
      expect(stepEvents.map((event) => event.data.step)).toEqual([1, 2, 3, 4, 5, 6]);
      const billing = events.filter((event) => event.type === 'billing');
      expect(billing.map((event) => [event.data.step, event.data.credits])).toEqual(
        [1, 2, 3, 4, 5, 6].map((step) => [step, stepPriceCredits]),
      );
      const recovered = events.filter((event) => event.type === 'status' && event.data.recovered);
      expect(recovered).toHaveLength(1);
      expect(recovered[0].data).toMatchObject({ status: 'running', steps_completed: 3 });

      const ledger = (await client.get(`/v1/wallet/ledger?run_id=${runId}&limit=200`)).body.data;
      for (const step of [1, 2, 3, 4, 5, 6]) {
        const entries = ledger.filter((entry: any) => entry.step === step);
        const charges = entries.filter((entry: any) => entry.kind === 'charge').length;
        const refunds = entries.filter((entry: any) => entry.kind === 'refund').length;
        expect(charges - refunds, `net charges of step ${step}`).toBe(1);
      }
      const net = ledger.reduce((sum: number, entry: any) => sum + entry.amount_credits, 0);
      expect(net).toBe(-6 * stepPriceCredits);

      const wallet = (await client.get('/v1/wallet')).body;
      expect(wallet.balance_credits).toBe(1000 - 6 * stepPriceCredits);
      const all = (await client.get('/v1/wallet/ledger?limit=200')).body.data;
      expect(all[0].balance_after).toBe(wallet.balance_credits);
      expect(all.reduce((sum: number, entry: any) => sum + entry.amount_credits, 0)).toBe(
        wallet.balance_credits,
      );
    });

    it('delivers a webhook pending at the crash after the restart, under the same id', async () => {
      const { agent } = suite;
      const org = await organization('webhook across a crash', 1000);
      const machineId = await as(org.key).machine();
      agent.on('webhook across a crash', () => ({
        actions: [],
        done: { success: true, summary: 'done' },
      }));
      let crashed = false;
      const receiver = await new Receiver(() => ({ status: crashed ? 200 : 500 })).start();

      const created = await as(org.key).post('/v1/runs', {
        machine_id: machineId,
        task: 'webhook across a crash',
        webhook_url: receiver.url,
      });
      expect(created.status).toBe(200);
      const secret: string = created.body.webhook_secret;
      await until('the first attempt', () => receiver.received.length === 1);
      const deliveryId = receiver.received[0]!.headers['coasty-delivery-id'];
      expect(deliveryId).toMatch(/^dlv_/);
      // Killed between attempts, once the failed one is recorded: a crash during an attempt
      // leaves the delivery leased to the dead server for the attempt timeout plus 30 s.
      await until('the failed attempt to be recorded', () =>
        logLines(suite.server).some(
          (line) =>
            line['msg'] === 'Webhook attempt failed' &&
            line['deliveryId'] === deliveryId &&
            line['attempt'] === 1,
        ),
      );
      crashed = true;
      await suite.server.kill('SIGKILL');
      expect(receiver.received).toHaveLength(1);

      await suite.server.start();
      await until('the delivery after the restart', () => receiver.received.length >= 2);
      await sleep(1000);
      await receiver.stop();

      expect(receiver.received).toHaveLength(2);
      const [before, after] = receiver.received;
      expect(after!.headers['coasty-delivery-id']).toBe(deliveryId);
      expect(after!.rawBody).toBe(before!.rawBody);
      expect(JSON.parse(after!.rawBody)).toMatchObject({
        id: deliveryId,
        type: 'run.succeeded',
        data: { run_id: created.body.id, status: 'succeeded' },
      });
      expect(signatureIsValid(secret, before!)).toBe(true);
      expect(signatureIsValid(secret, after!)).toBe(true);
      expect((await as(org.key).get(`/v1/runs/${created.body.id}`)).body.status).toBe('succeeded');
    });

    it('keeps a top-up and a run acknowledged just before a crash', async () => {
      const { agent } = suite;
      const org = await organization('acknowledged', 0);
      const machineId = await as(org.key).machine();
      agent.on('acknowledged before a crash', ({ step }) =>
        step < 2
          ? { actions: [{ type: 'wait', ms: 1 }] }
          : { actions: [], done: { success: true, summary: 'kept' } },
      );
      const topUpKey = `top-up-${randomUUID()}`;
      const topUpBody = { amount_cents: 300, organization_id: org.id };
      const runKey = `run-${randomUUID()}`;
      const runBody = {
        machine_id: machineId,
        task: 'acknowledged before a crash',
        metadata: { ticket: 'T-1' },
      };

      // The run can only be accepted on the top-up's credits; the kill follows its answer.
      const topUp = await admin().post('/v1/wallet/top-ups', topUpBody, {
        'idempotency-key': topUpKey,
      });
      const created = await as(org.key).post('/v1/runs', runBody, { 'idempotency-key': runKey });
      await suite.server.kill('SIGKILL');
      expect(topUp.status).toBe(200);
      expect(created.status).toBe(200);
      await suite.server.start();

      const client = as(org.key);
      const found = await client.get(`/v1/runs/${created.body.id}`);
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({
        task: 'acknowledged before a crash',
        machine_id: machineId,
        metadata: { ticket: 'T-1' },
      });
      const ledger = (await client.get('/v1/wallet/ledger?limit=200')).body.data;
      expect(ledger.filter((entry: any) => entry.kind === 'top_up')).toEqual([
        expect.objectContaining({ id: topUp.body.id, amount_credits: 300, balance_after: 300 }),
      ]);

      const replayedTopUp = await admin().post('/v1/wallet/top-ups', topUpBody, {
        'idempotency-key': topUpKey,
      });
      expect(replayedTopUp.headers.get('x-coasty-idempotent-replay')).toBe('true');
      expect(replayedTopUp.body.id).toBe(topUp.body.id);
      const replayedRun = await client.post('/v1/runs', runBody, { 'idempotency-key': runKey });
      expect(replayedRun.headers.get('x-coasty-idempotent-replay')).toBe('true');
      expect(replayedRun.body.id).toBe(created.body.id);

      const run = await client.waitForRun(created.body.id);
      expect(run).toMatchObject({
        status: 'succeeded',
        steps_completed: 2,
        credits_charged: 2 * stepPriceCredits,
      });
      expect((await client.get('/v1/runs')).body.data.map((listed: any) => listed.id)).toEqual([
        created.body.id,
      ]);
      expectCleanLog(await eventsOf(client, run.id));
      expect((await client.get('/v1/wallet')).body.balance_credits).toBe(
        300 - 2 * stepPriceCredits,
      );
    });
  });

  describe('with one worker', () => {
    const suite = useServer(store, { DESKHAND_WORKERS: '1' });
    const { as, organization, crash } = clients(suite);

    it('ends every run accepted before a crash; a paused run waits until resumed', async () => {
      const { agent } = suite;
      const org = await organization('queued work', 1000);
      agent.on('wait for a human across a crash', ({ step, human_note }) =>
        step === 1
          ? { actions: [], needs_human: { reason: 'Which code?' } }
          : { actions: [], done: { success: true, summary: String(human_note) } },
      );
      const held = gate();
      let heldCalls = 0;
      agent.on('queued across a crash', async () => {
        if (++heldCalls === 1) {
          await held.promise;
        }
        return { actions: [], done: { success: true, summary: 'ran' } };
      });

      const pausedMachine = await as(org.key).machine();
      const pausing = await as(org.key).post('/v1/runs', {
        machine_id: pausedMachine,
        task: 'wait for a human across a crash',
      });
      const paused = await as(org.key).waitForRun(
        pausing.body.id,
        (run) => run.status === 'awaiting_human',
      );

      const runIds: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        const machineId = await as(org.key).machine();
        const created = await as(org.key).post('/v1/runs', {
          machine_id: machineId,
          task: 'queued across a crash',
        });
        expect(created.status).toBe(200);
        runIds.push(created.body.id);
      }
      await until('the first run to ask the model', () => agent.requestsFor(runIds[0]!).length > 0);
      for (const runId of runIds.slice(1)) {
        expect((await as(org.key).get(`/v1/runs/${runId}`)).body.status).toBe('queued');
      }

      await crash();
      held.open();
      const client = as(org.key);
      const afterCrash = await client.get(`/v1/runs/${paused.id}`);
      expect(afterCrash.body).toMatchObject({
        status: 'awaiting_human',
        awaiting_human_reason: 'Which code?',
        awaiting_human_since: paused.awaiting_human_since,
      });

      for (const runId of runIds) {
        const run = await client.waitForRun(runId);
        expect(run).toMatchObject({
          status: 'succeeded',
          steps_completed: 1,
          credits_charged: stepPriceCredits,
        });
        expectCleanLog(await eventsOf(client, runId));
      }
      expect(agent.requestsFor(runIds[0]!)).toHaveLength(2);
      expect(agent.requestsFor(runIds[1]!)).toHaveLength(1);
      expect(agent.requestsFor(runIds[2]!)).toHaveLength(1);

      expect((await client.get(`/v1/runs/${paused.id}`)).body.status).toBe('awaiting_human');
      expect(agent.requestsFor(paused.id)).toHaveLength(1);
      const resumed = await client.post(`/v1/runs/${paused.id}/resume`, { note: '4711' });
      expect(resumed.status).toBe(200);
      const run = await client.waitForRun(paused.id);
      expect(run).toMatchObject({ status: 'succeeded', steps_completed: 2 });
      expect(run.result.summary).toBe('4711');
      expect(agent.requestsFor(paused.id).map((request) => request.human_note)).toEqual([
        null,
        '4711',
      ]);
      expectCleanLog(await eventsOf(client, paused.id));

      const balance = (await client.get('/v1/wallet')).body.balance_credits;
      expect(balance).toBe(1000 - 5 * stepPriceCredits);
    });
  });
});
