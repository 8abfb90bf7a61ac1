import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { endless } from './support/agent-server.js';
import type { Api } from './support/api.js';
import { testStores } from './support/server.js';
import { SseReader } from './support/sse-reader.js';
import { useServer } from './support/suite.js';
import { Receiver } from './support/webhook-receiver.js';

const ended = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** Polls a workflow run until `until` holds (by default: it has ended). */
async function waitForWorkflowRun(
  api: Api,
  id: string,
  until: (run: any) => boolean = (run) => ended.includes(run.status),
  timeoutMs = 45_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get(`/v1/workflows/runs/${id}`);
    if (until(body)) {
      return body;
    }
    if (Date.now() > deadline) {
      throw new Error(`workflow run ${id} did not get there in time: ${JSON.stringify(body)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function workflowEvents(api: Api, id: string, after = 0): Promise<any[]> {
  const page = await api.get(`/v1/workflows/runs/${id}/events?format=json&after=${after}`);
  expect(page.status).toBe(200);
  return page.body.data;
}

/** The child runs of a workflow run, from its finished task steps' events. */
function childRuns(events: any[]): string[] {
  return events
    .filter((event) => event.type === 'step' && event.data.phase === 'finished')
    .map((event) => event.data.run_id)
    .filter((id): id is string => typeof id === 'string');
}

const finish = (summary: string) => ({ actions: [], done: { success: true, summary } });
const fail = (summary: string) => ({ actions: [], done: { success: false, summary } });

describe.each(testStores)('workflows on %s', (store) => {
  const suite = useServer(store);

  it('runs login, if, a loop over three rows, an approval and a final step', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('log in as ada', () => finish('logged in'));
    for (const name of ['alice', 'bob', 'carol']) {
      agent.on(`fill the form for ${name}`, () => finish(`filled ${name}`));
    }
    agent.on('submit everything', () => finish('submitted'));
    agent.on('report the failed login', () => fail('should not run'));
    const receiver = await new Receiver().start();

    const saved = await api.post('/v1/workflows', {
      name: 'Fill forms',
      slug: 'fill-forms',
      definition: {
        steps: [
          { id: 'login', type: 'task', task: 'log in as {{ inputs.user }}', max_steps: 5 },
          {
            id: 'logged_in',
            type: 'if',
            condition: "steps.login.status = 'succeeded'",
            then: [
              {
                id: 'rows',
                type: 'loop',
                over: 'inputs.rows',
                as: 'row',
                max_iterations: 10,
                steps: [{ id: 'fill', type: 'task', task: 'fill the form for {{ row.name }}' }],
              },
              {
                id: 'confirm',
                type: 'human_approval',
                message: 'Submit the {{ $count(inputs.rows) }} forms?',
              },
              { id: 'submit', type: 'task', task: 'submit everything' },
            ],
            else: [{ id: 'report', type: 'task', task: 'report the failed login' }],
          },
        ],
        output: {
          submitted: 'steps.submit.output.result.summary',
          last: 'steps.fill.status',
          huge: '$pad("x", 1000000)',
        },
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ object: 'workflow', version: 1, status: 'active' });

    const rows = [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }];
    const started = await api.post(`/v1/workflows/${saved.body.id}/runs`, {
      machine_id: machineId,
      inputs: { user: 'ada', rows },
      webhook_url: receiver.url,
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ object: 'workflow.run', status: 'queued' });
    expect(started.body.webhook_secret).toMatch(/^whsec_/);
    const id = started.body.id;

    const waiting = await waitForWorkflowRun(
      api,
      id,
      (run) => run.status !== 'queued' && run.status !== 'running',
    );
    expect(waiting).toMatchObject({
      status: 'awaiting_human',
      awaiting_step_id: 'logged_in/then/confirm',
      awaiting_human_reason: 'Submit the 3 forms?',
      iterations_used: 3,
    });
    const resumed = await api.post(`/v1/workflows/runs/${id}/resume`, { approved: true });
    expect(resumed.status).toBe(200);

    const run = await waitForWorkflowRun(api, id);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: {
        submitted: 'submitted',
        last: 'succeeded',
        huge: { error: expect.stringContaining('may be at most 256 KiB') },
      },
      spent_cents: 25,
    });
    const events = await workflowEvents(api, id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1).type).toBe('done');
    const tasks = await Promise.all(childRuns(events).map((runId) => api.get(`/v1/runs/${runId}`)));
    expect(tasks.map((task) => task.body.task)).toEqual([
      'log in as ada',
      'fill the form for alice',
      'fill the form for bob',
      'fill the form for carol',
      'submit everything',
    ]);

    const [delivery] = await receiver.waitFor(2);
    const deliveries = receiver.received.map((received) => JSON.parse(received.rawBody));
    expect(deliveries.map((body) => body.type)).toEqual(['run.awaiting_human', 'run.succeeded']);
    expect(deliveries[1].data).toMatchObject({ run_id: id, object: 'workflow.run' });
    const signature = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
      String(delivery!.headers['coasty-signature']),
    );
    const expected = createHmac('sha256', started.body.webhook_secret)
      .update(`${signature?.[1]}.${delivery!.rawBody}`)
      .digest('hex');
    expect(signature?.[2]).toBe(expected);
    await receiver.stop();
  });

  it('streams a workflow run’s events over SSE and resumes after Last-Event-ID', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('one quick task', () => finish('quick'));
    const started = await api.post('/v1/workflows/runs', {
      machine_id: machineId,
      definition: {
        steps: [
          { id: 'quick', type: 'task', task: 'one quick task' },
          { id: 'pause', type: 'wait', seconds: 0.1 },
        ],
      },
    });
    expect(started.status).toBe(200);
    const id = started.body.id;
    const first = await SseReader.open(api, `/v1/workflows/runs/${id}/events`);
    await first.until((reader) => reader.frames.length >= 3, 'three events', 20_000);
    await first.abort();
    const second = await SseReader.open(api, `/v1/workflows/runs/${id}/events`, {
      'last-event-id': '3',
    });
    await second.ended(20_000);
    expect(second.ids[0]).toBe(4);
    expect(second.frames.at(-1)?.event).toBe('done');
    expect(second.frames.at(-1)?.data.data).toMatchObject({ status: 'succeeded' });
  });

  it('succeeds on the third attempt of a flaky step under retry', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    let calls = 0;
    agent.on('flaky step', () => (++calls < 3 ? fail(`flake ${calls}`) : finish('third time')));
    const started = await api.post('/v1/workflows/runs', {
      machine_id: machineId,
      definition: {
        steps: [
          {
            id: 'stubborn',
            type: 'retry',
            attempts: 4,
            backoff_seconds: 0.05,
            step: { id: 'flaky', type: 'task', task: 'flaky step' },
          },
        ],
      },
    });
    const run = await waitForWorkflowRun(api, started.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output.steps.stubborn.output).toMatchObject({ attempts: 3 });
    expect(calls).toBe(3);
  });

  it('ends failed when the budget is spent mid-way, charging nothing beyond it', async () => {
    const { api, agent } = suite;
    const org = await api.post('/v1/organizations', { name: 'budget', initial_credits: 500 });
    const client = api.withKey(org.body.api_key);
    const machineId = await client.machine();
    agent.on('three steps', ({ step }) =>
      step < 3 ? { actions: [{ type: 'wait', ms: 1 }] } : finish('three'),
    );
    agent.on('never ends', endless());
    const started = await client.post('/v1/workflows/runs', {
      machine_id: machineId,
      budget_cents: 25,
      definition: {
        steps: [
          { id: 'first', type: 'task', task: 'three steps' },
          { id: 'second', type: 'task', task: 'never ends', max_steps: 50 },
          { id: 'third', type: 'task', task: 'three steps' },
        ],
      },
    });
    const run = await waitForWorkflowRun(client, started.body.id);
    expect(run).toMatchObject({ status: 'failed', spent_cents: 25, budget_cents: 25 });
    expect(run.error).toMatchObject({ code: 'BUDGET_EXHAUSTED', step_id: 'second' });
    const wallet = await client.get('/v1/wallet');
    expect(wallet.body.balance_cents ?? wallet.body.balance_credits).toBe(475);

    // A budget that cannot pay one more step starts no run at all.
    const exact = await client.post('/v1/workflows/runs', {
      machine_id: machineId,
      budget_cents: 15,
      definition: {
        steps: [
          { id: 'first', type: 'task', task: 'three steps' },
          { id: 'second', type: 'task', task: 'never ends' },
        ],
      },
    });
    const spent = await waitForWorkflowRun(client, exact.body.id);
    expect(spent).toMatchObject({ status: 'failed', spent_cents: 15 });
    expect(spent.error).toMatchObject({ code: 'BUDGET_EXHAUSTED', step_id: 'second' });
    const events = await workflowEvents(client, exact.body.id);
    const second = events.find((event) => event.data.step_id === 'second' && event.data.status);
    expect(second.data).toMatchObject({ status: 'failed', run_id: null });
    const runs = (await client.get('/v1/runs?limit=200')).body.data;
    expect(runs.filter((run: any) => run.task === 'never ends')).toHaveLength(1);
  });

  it('cancels a workflow run and the child run it was waiting on', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('runs until cancelled', endless(20));
    const started = await api.post('/v1/workflows/runs', {
      machine_id: machineId,
      definition: { steps: [{ id: 'long', type: 'task', task: 'runs until cancelled' }] },
    });
    const id = started.body.id;
    // Spending shows while the child run is charged, before the workflow run ends.
    const charged = await waitForWorkflowRun(api, id, (run) => run.spent_cents >= 10);
    expect(charged.status).toBe('running');
    const child = agent.requests.find((request) => request.task === 'runs until cancelled')!.run_id;
    const cancelled = await api.post(`/v1/workflows/runs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await api.get(`/v1/runs/${child}`)).body.status).toBe('cancelled');
    const again = await api.post(`/v1/workflows/runs/${id}/cancel`);
    expect(again.body.status).toBe('cancelled');
  });

  it('runs parallel branches on different machines', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const [left, right] = [await api.machine(), await api.machine()];
    agent.on('left branch', () => finish('left'));
    agent.on('right branch', () => finish('right'));
    const started = await api.post('/v1/workflows/runs', {
      inputs: { machines: [left, right] },
      definition: {
        steps: [
          {
            id: 'both',
            type: 'parallel',
            branches: [
              {
                machine_id: '{{ inputs.machines[0] }}',
                steps: [{ id: 'l', type: 'task', task: 'left branch' }],
              },
              {
                machine_id: '{{ inputs.machines[1] }}',
                steps: [{ id: 'r', type: 'task', task: 'right branch' }],
              },
            ],
          },
        ],
      },
    });
    expect(started.status).toBe(200);
    const run = await waitForWorkflowRun(api, started.body.id);
    expect(run.status).toBe('succeeded');
    const children = childRuns(await workflowEvents(api, run.id));
    const machines = await Promise.all(
      children.map(async (child) => (await api.get(`/v1/runs/${child}`)).body.machine_id),
    );
    expect(machines.sort()).toEqual([left, right].sort());
  });

  it('fails a rejected approval and bounds iterations and time across the run', async () => {
    const { api } = suite;
    const approval = await api.post('/v1/workflows/runs', {
      definition: { steps: [{ id: 'ask', type: 'human_approval' }] },
    });
    await waitForWorkflowRun(api, approval.body.id, (run) => run.status === 'awaiting_human');
    await api.post(`/v1/workflows/runs/${approval.body.id}/resume`, {
      approved: false,
      note: 'not today',
    });
    const rejected = await waitForWorkflowRun(api, approval.body.id);
    expect(rejected).toMatchObject({ status: 'failed' });
    expect(rejected.error).toMatchObject({ code: 'APPROVAL_REJECTED', message: 'not today' });
    const again = await api.post(`/v1/workflows/runs/${approval.body.id}/resume`, {});
    expect(again.status).toBe(409);

    const looping = await api.post('/v1/workflows/runs', {
      max_iterations: 3,
      definition: {
        steps: [
          {
            id: 'spin',
            type: 'loop',
            while: 'true',
            max_iterations: 100,
            steps: [{ id: 'tick', type: 'wait', seconds: 0 }],
          },
        ],
      },
    });
    const spun = await waitForWorkflowRun(api, looping.body.id);
    expect(spun).toMatchObject({ status: 'failed', iterations_used: 3 });
    expect(spun.error).toMatchObject({ code: 'MAX_ITERATIONS_REACHED', step_id: 'spin' });

    const slow = await api.post('/v1/workflows/runs', {
      deadline_seconds: 1,
      definition: { steps: [{ id: 'nap', type: 'wait', seconds: 60 }] },
    });
    const late = await waitForWorkflowRun(api, slow.body.id);
    expect(late).toMatchObject({ status: 'timed_out' });
    expect(late.error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });

  it('refuses an invalid definition with a 422 that names the step and field', async () => {
    const { api } = suite;
    const response = await api.post('/v1/workflows', {
      name: 'Broken',
      slug: 'broken',
      definition: {
        steps: [
          { id: 'ok', type: 'wait', seconds: 1 },
          {
            id: 'check',
            type: 'if',
            condition: 'true',
            then: [{ id: 'bad_loop', type: 'loop', over: 'inputs.rows', steps: [] }],
          },
        ],
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.message).toContain("Step 'bad_loop'");
    expect(response.body.error.details).toMatchObject({
      step_id: 'bad_loop',
      path: 'definition.steps[1].then[0].max_iterations',
    });
    const expression = await api.post('/v1/workflows/runs', {
      definition: { steps: [{ id: 'odd', type: 'assert', condition: 'steps.(' }] },
    });
    expect(expression.status).toBe(422);
    expect(expression.body.error.details).toMatchObject({ step_id: 'odd', field: 'condition' });
    expect((await api.get('/v1/workflows')).body.data.map((w: any) => w.slug)).not.toContain(
      'broken',
    );
    const machineless = await api.post('/v1/workflows/runs', {
      definition: {
        steps: [
          {
            id: 'fan',
            type: 'parallel',
            branches: [
              { machine_id: 'm-1', steps: [{ id: 'fine', type: 'task', task: 'x' }] },
              { steps: [{ id: 'homeless', type: 'task', task: 'y' }] },
            ],
          },
        ],
      },
    });
    expect(machineless.status).toBe(422);
    expect(machineless.body.error.details).toMatchObject({
      step_id: 'homeless',
      path: 'definition.steps[0].branches[1].steps[0].machine_id',
    });
    const unknownMachine = await api.post('/v1/workflows/runs', {
      machine_id: 'no-such-machine',
      definition: { steps: [{ id: 'go', type: 'task', task: 'x' }] },
    });
    expect(unknownMachine.status).toBe(404);

    const typed = await api.post('/v1/workflows', {
      name: 'Typed',
      slug: 'typed',
      definition: { steps: [{ id: 'nap', type: 'wait', seconds: 0 }] },
      inputs_schema: {
        type: 'object',
        required: ['rows'],
        properties: { rows: { type: 'array' } },
      },
    });
    const badInputs = await api.post(`/v1/workflows/${typed.body.id}/runs`, {
      inputs: { rows: 1 },
    });
    expect(badInputs.status).toBe(422);
    expect(badInputs.body.error.details).toMatchObject({ field: 'body.inputs.rows' });
    const runs = await api.get(`/v1/workflows/runs?workflow_id=${typed.body.id}`);
    expect(runs.body.data).toEqual([]);
  });
});
