import { describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import { Api } from './support/api.js';
import { testStores } from './support/server.js';
import { useServer } from './support/suite.js';

async function until(what: string, condition: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(testStores)('workflow crash recovery on %s', (store) => {
  const suite = useServer(store);

  it('completes a workflow killed during step 2, whose run exists once', async () => {
    const { agent } = suite;
    const admin = () => new Api(suite.server.url, suite.server.adminKey);
    await admin().topUp(1000);
    const machineId = await admin().machine();
    const held = gate();
    let stepTwoCalls = 0;
    agent.on('crash step one', () => ({ actions: [], done: { success: true, summary: 'one' } }));
    agent.on('crash step two', async ({ step }) => {
      if (step === 2 && ++stepTwoCalls === 1) {
        // Answered only once the server that asked is dead.
        await held.promise;
      }
      return step < 3
        ? { actions: [{ type: 'wait', ms: 1 }] }
        : { actions: [], done: { success: true, summary: 'two' } };
    });
    agent.on('crash step three', () => ({
      actions: [],
      done: { success: true, summary: 'three' },
    }));

    const started = await admin().post('/v1/workflows/runs', {
      machine_id: machineId,
      definition: {
        steps: [
          { id: 'one', type: 'task', task: 'crash step one' },
          { id: 'two', type: 'task', task: 'crash step two' },
          { id: 'three', type: 'task', task: 'crash step three' },
        ],
      },
    });
    expect(started.status).toBe(200);
    const id: string = started.body.id;
    await until('step 2 of the second task', () => stepTwoCalls === 1);

    await suite.server.kill('SIGKILL');
    held.open();
    await suite.server.start();

    const deadline = Date.now() + 45_000;
    let run = (await admin().get(`/v1/workflows/runs/${id}`)).body;
    while (!['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status)) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await admin().get(`/v1/workflows/runs/${id}`)).body;
    }
    expect(run.status).toBe('succeeded');

    const runs = (await admin().get('/v1/runs?limit=200')).body.data;
    const tasks = runs.map((child: any) => child.task).sort();
    expect(tasks).toEqual(['crash step one', 'crash step three', 'crash step two']);
    expect(runs.every((child: any) => child.status === 'succeeded')).toBe(true);

    const events = (await admin().get(`/v1/workflows/runs/${id}/events?format=json`)).body.data;
    expect(events.map((event: any) => event.seq)).toEqual(
      events.map((_: unknown, index: number) => index + 1),
    );
    const finished = events.filter(
      (event: any) => event.type === 'step' && event.data.phase === 'finished',
    );
    expect(finished.map((event: any) => event.data.step_id)).toEqual(['one', 'two', 'three']);
    expect(events.filter((event: any) => event.type === 'done')).toHaveLength(1);
  });
});
