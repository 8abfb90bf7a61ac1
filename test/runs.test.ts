import { describe, expect, it } from 'vitest';

import { endless, gate } from './support/agent-server.js';
import { eventsOf, useServer } from './support/suite.js';
import { testStores } from './support/server.js';

describe.each(testStores)('runs on %s', (store) => {
  const suite = useServer(store);

  it('creates a run with the product defaults and drives it to success', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('click then finish', ({ step }) =>
      step === 1
        ? { actions: [{ type: 'click', x: 10, y: 10 }], reasoning: 'start' }
        : { actions: [], done: { success: true, summary: 'finished' } },
    );

    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'click then finish',
    });
    expect(created.status).toBe(200);
    expect(created.headers.get('x-coasty-request-id')).toMatch(/^req_/);
    expect(created.body).toMatchObject({
      object: 'agent.run',
      status: 'queued',
      cua_version: 'v3',
      max_steps: 200,
      deadline_seconds: 300,
      on_awaiting_human: 'pause',
      steps_completed: 0,
    });

    const run = await api.waitForRun(created.body.id);
    expect(run).toMatchObject({
      status: 'succeeded',
      steps_completed: 2,
      credits_charged: 10,
      cost_cents: 10,
    });
    expect(run.result).toMatchObject({ success: true, summary: 'finished' });
    expect(run.webhook_secret).toBeNull();

    const events = await eventsOf(api, run.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1).type).toBe('done');
    expect(events.filter((event) => event.type === 'step')).toHaveLength(2);
    expect(events.find((event) => event.type === 'tool_call').data.action).toMatchObject({
      type: 'click',
    });
  });

  it('refuses a run on a busy machine with 409 and an unaffordable run with 402', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    const hold = gate();
    agent.on('hold the machine', async () => {
      await hold.promise;
      return { actions: [], done: { success: true, summary: 'released' } };
    });
    const first = await api.post('/v1/runs', { machine_id: machineId, task: 'hold the machine' });
    const second = await api.post('/v1/runs', { machine_id: machineId, task: 'hold the machine' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('INVALID_STATE');
    hold.open();
    await api.waitForRun(first.body.id);

    const org = await api.post('/v1/organizations', { name: 'empty wallet' });
    const poor = api.withKey(org.body.api_key);
    const poorMachine = await poor.machine();
    const refused = await poor.post('/v1/runs', { machine_id: poorMachine, task: 'anything' });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      type: 'billing_error',
    });
  });

  it('stops at max_steps across a pause for credits: 5 model calls, 5 charges', async () => {
    const { api, agent } = suite;
    const org = await api.post('/v1/organizations', { name: 'two steps', initial_credits: 10 });
    const client = api.withKey(org.body.api_key);
    const machineId = await client.machine();
    agent.on('never finishes', endless());

    const created = await client.post('/v1/runs', {
      machine_id: machineId,
      task: 'never finishes',
      max_steps: 5,
    });
    const paused = await client.waitForRun(
      created.body.id,
      (run) => run.status === 'awaiting_human',
    );
    expect(paused.steps_completed).toBe(2);
    expect(paused.awaiting_human_reason).toMatch(/wallet/);

    const resumedEarly = await client.post(`/v1/runs/${created.body.id}/resume`);
    expect(resumedEarly.status).toBe(402);
    await api.post('/v1/wallet/top-ups', { amount_cents: 100, organization_id: org.body.id });
    expect((await client.post(`/v1/runs/${created.body.id}/resume`)).status).toBe(200);

    const run = await client.waitForRun(created.body.id);
    expect(run).toMatchObject({ status: 'timed_out', steps_completed: 5, credits_charged: 25 });
    expect(run.error.code).toBe('MAX_STEPS_REACHED');
    expect(agent.requestsFor(run.id)).toHaveLength(5);
    const ledger = await client.get(`/v1/wallet/ledger?run_id=${run.id}`);
    expect(ledger.body.data.filter((entry: any) => entry.kind === 'charge')).toHaveLength(5);
    expect((await client.get('/v1/wallet')).body.balance_credits).toBe(110 - 25);
  });

  it('cancels a slow model call within a second and asks the model nothing after', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('slow model', endless(5_000));
    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'slow model' });
    await api.waitForRun(created.body.id, () => agent.requestsFor(created.body.id).length === 1);

    const started = Date.now();
    const cancelled = await api.post(`/v1/runs/${created.body.id}/cancel`);
    // The acknowledgement itself says cancelled: nothing is left to wait for.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const run = await api.waitForRun(created.body.id);
    expect(run.status).toBe('cancelled');
    expect(run.credits_charged).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(agent.requestsFor(created.body.id)).toHaveLength(1);
    const again = await api.post(`/v1/runs/${created.body.id}/cancel`);
    expect(again.body.status).toBe('cancelled');
    expect((await eventsOf(api, created.body.id)).filter((e) => e.type === 'done')).toHaveLength(1);
  });

  it('pauses when the agent needs a human and hands the note to the model on resume', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('needs an email', ({ step, human_note }) =>
      step === 1
        ? { actions: [], needs_human: { reason: 'Which email should I type?' } }
        : {
            actions: [{ type: 'type', text: human_note ?? '' }],
            done: { success: true, summary: String(human_note) },
          },
    );
    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'needs an email' });
    const paused = await api.waitForRun(created.body.id, (run) => run.status === 'awaiting_human');
    expect(paused.awaiting_human_reason).toBe('Which email should I type?');
    expect(paused.awaiting_human_since).toBeTruthy();

    const resumed = await api.post(`/v1/runs/${created.body.id}/resume`, {
      note: 'me@example.com',
    });
    expect(resumed.status).toBe(200);
    const run = await api.waitForRun(created.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.result.summary).toBe('me@example.com');
    const types = (await eventsOf(api, run.id)).map((event) => event.type);
    expect(types).toContain('awaiting_human');
    expect(types).toContain('resumed');
  });
});
