import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { endless } from './support/agent-server.js';
import { eventsOf, useServer } from './support/suite.js';
import { testStores } from './support/server.js';

/** A page with one text field that reports every value it takes to the test. */
class FormPage {
  readonly values: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/value') {
        this.values.push(url.searchParams.get('v') ?? '');
        response.end('ok');
        return;
      }
      response.setHeader('content-type', 'text/html');
      response.end(
        `<input id="field" style="position:absolute;left:0;top:0;width:400px;height:40px"
          oninput="fetch('/value?v=' + encodeURIComponent(this.value))">`,
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    // A machine's browser may hold keep-alive connections open; close would wait for them.
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe.each(testStores)('run limits and human hand-offs on %s', (store) => {
  const suite = useServer(store);
  const page = new FormPage();
  beforeAll(async () => {
    await page.start();
    await suite.api.topUp(10_000);
  });
  afterAll(() => page.stop());

  it('ends a run at its deadline and refunds the step in flight', async () => {
    const { api, agent } = suite;
    agent.on('slow forever', endless(400));
    const machineId = await api.machine();
    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'slow forever',
      deadline_seconds: 2,
    });
    const run = await api.waitForRun(created.body.id);
    const runningMs = Date.parse(run.finished_at) - Date.parse(run.started_at);

    expect(run.status).toBe('timed_out');
    expect(run.error.code).toBe('DEADLINE_EXCEEDED');
    expect(runningMs).toBeGreaterThanOrEqual(2000);
    expect(runningMs).toBeLessThan(3000);
    expect(run.credits_charged).toBe(run.steps_completed * 5);
    const types = (await eventsOf(api, run.id)).map((event) => event.type);
    expect(types.slice(-3)).toEqual(['status', 'error', 'done']);
  });

  it('fails or cancels instead of pausing when on_awaiting_human says so', async () => {
    const { api, agent } = suite;
    agent.on('ask a human', () => ({ actions: [], needs_human: { reason: 'Need a code' } }));
    for (const [mode, status] of [
      ['fail', 'failed'],
      ['cancel', 'cancelled'],
    ] as const) {
      const machineId = await api.machine();
      const created = await api.post('/v1/runs', {
        machine_id: machineId,
        task: 'ask a human',
        on_awaiting_human: mode,
      });
      const run = await api.waitForRun(created.body.id);
      expect(run.status).toBe(status);
      expect(run.error).toMatchObject({ code: 'AWAITING_HUMAN', message: 'Need a code' });
    }
  });

  it('ends a pause that outlasts awaiting_human_timeout_seconds', async () => {
    const { api, agent } = suite;
    agent.on('ask and wait', () => ({ actions: [], needs_human: { reason: 'Anyone there?' } }));
    const machineId = await api.machine();
    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'ask and wait',
      awaiting_human_timeout_seconds: 1,
    });
    await api.waitForRun(created.body.id, (run) => run.status === 'awaiting_human');
    const run = await api.waitForRun(created.body.id);
    expect(run.status).toBe('timed_out');
    expect(run.error.code).toBe('AWAITING_HUMAN_TIMEOUT');

    const resume = await api.post(`/v1/runs/${run.id}/resume`, { note: 'too late' });
    expect(resume.status).toBe(409);
    expect(resume.body.error.code).toBe('INVALID_STATE');
  });

  it('lets a human take over with pause, and continues after resume', async () => {
    const { api, agent } = suite;
    agent.on('long job', endless(100));
    const machineId = await api.machine();
    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'long job',
      max_steps: 30,
    });
    await api.waitForRun(created.body.id, (run) => run.steps_completed >= 1);

    const paused = await api.post(`/v1/runs/${created.body.id}/pause`, { reason: 'I drive now' });
    expect(paused.body).toMatchObject({
      status: 'awaiting_human',
      awaiting_human_reason: 'I drive now',
    });
    const stepsAtPause = (await api.get(`/v1/runs/${created.body.id}`)).body.steps_completed;
    await new Promise((resolve) => setTimeout(resolve, 400));
    const still = (await api.get(`/v1/runs/${created.body.id}`)).body;
    expect(still.steps_completed).toBe(stepsAtPause);
    expect(still.credits_charged).toBe(stepsAtPause * 5);

    await api.post(`/v1/runs/${created.body.id}/resume`, {});
    await api.waitForRun(created.body.id, (run) => run.steps_completed > stepsAtPause);
    const cancelled = await api.post(`/v1/runs/${created.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('pays for a step a pause cut short once it acted, and only then', async () => {
    const { api, agent } = suite;
    agent.on('slow wait', ({ step }) =>
      step <= 2
        ? { actions: [{ type: 'wait', ms: 1500 }] }
        : { actions: [], done: { success: true, summary: 'waited' } },
    );
    const created = await api.post('/v1/runs', {
      machine_id: await api.machine(),
      task: 'slow wait',
    });
    const runId = created.body.id as string;
    // Paused once the step's wait has begun: the step acted, so it is kept and paid.
    await vi.waitFor(
      async () => {
        const events = await eventsOf(api, runId);
        expect(events.some((event: { type: string }) => event.type === 'tool_call')).toBe(true);
      },
      { timeout: 20_000, interval: 50 },
    );

    await api.post(`/v1/runs/${runId}/pause`, { reason: 'mid-wait' });
    const paused = await api.waitForRun(runId, (run) => run.steps_completed === 1);
    expect(paused).toMatchObject({ status: 'awaiting_human', credits_charged: 5 });

    await api.post(`/v1/runs/${runId}/resume`, {});
    const done = await api.waitForRun(runId, (run) => run.status === 'succeeded');
    expect(done.credits_charged).toBe(done.steps_completed * 5);
    expect(done.steps_completed).toBe(3);
  });

  it('types a secret into the page without ever showing it in the run or its events', async () => {
    const { api, agent } = suite;
    agent.on('fill the field', ({ step }) =>
      step === 1
        ? {
            actions: [
              { type: 'navigate', url: page.url },
              { type: 'click', x: 100, y: 20 },
              { type: 'type', text: '{{user}}:{{password}}' },
            ],
          }
        : { actions: [], done: { success: true, summary: 'typed' } },
    );
    const machineId = await api.machine();
    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'fill the field',
      variables: { user: 'ada' },
      secrets: { password: 'hunter2-$`\\"' },
    });
    const run = await api.waitForRun(created.body.id);

    expect(run.status).toBe('succeeded');
    expect(page.values.at(-1)).toBe('ada:hunter2-$`\\"');
    expect(run.variables).toEqual({ user: 'ada' });
    expect(JSON.stringify(run)).not.toContain('hunter2');
    const events = JSON.stringify(await eventsOf(api, run.id));
    expect(events).not.toContain('hunter2');
    expect(events).toContain('{{user}}:{{password}}');
  });

  it('lists runs newest first, filtered by status, page by page', async () => {
    const { api } = suite;
    const all = await api.get('/v1/runs?limit=200');
    const timedOut = await api.get('/v1/runs?status=timed_out&limit=200');
    expect(timedOut.body.data.length).toBeGreaterThan(0);
    expect(timedOut.body.data.every((run: any) => run.status === 'timed_out')).toBe(true);

    const first = await api.get('/v1/runs?limit=2');
    expect(first.body).toMatchObject({ object: 'list', has_more: true });
    const second = await api.get(`/v1/runs?limit=2&starting_after=${first.body.next_cursor}`);
    const ids = [...first.body.data, ...second.body.data].map((run: any) => run.id);
    expect(ids).toEqual(all.body.data.slice(0, 4).map((run: any) => run.id));
  });
});
