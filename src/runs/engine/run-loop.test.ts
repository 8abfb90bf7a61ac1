import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startInProcess } from '../../app/test-kit.js';
import type { InProcessApp } from '../../app/test-kit.js';
import { ScriptedModel } from '../../models/index.js';
import type { ModelInput } from '../../models/index.js';

describe('the run loop with a scripted model, in process', () => {
  let inProcess: InProcessApp;
  const model = new ScriptedModel('scripted', (input: ModelInput) =>
    input.step < 3
      ? { actions: [{ type: 'wait', ms: 1 }], reasoning: `step ${input.step}` }
      : { actions: [], done: { success: true, summary: 'three steps' } },
  );

  beforeAll(async () => {
    inProcess = await startInProcess({ models: [model] });
  });
  afterAll(() => inProcess.app.stop());

  const call = async (method: string, path: string, body?: unknown) =>
    (await inProcess.call(method, path, body)).body;

  it('hands the model every earlier step with its outcomes, and secrets by name only', async () => {
    await call('POST', '/v1/wallet/top-ups', { amount_cents: 100 });
    const { machine } = await call('POST', '/v1/machines', { display_name: 'loop' });
    const run = await call('POST', '/v1/runs', {
      machine_id: machine.id,
      task: 'three steps',
      variables: { email: 'ada@example.com' },
      secrets: { password: 'p4ss' },
    });
    for (let status = run.status; !['succeeded', 'failed'].includes(status);) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call('GET', `/v1/runs/${run.id}`)).status;
    }

    const calls = model.calls.filter((input) => input.runId === run.id);
    expect(calls.map((input) => input.history.length)).toEqual([0, 1, 2]);
    expect(calls[2]?.history[1]).toMatchObject({
      step: 2,
      decision: { reasoning: 'step 2' },
      outcomes: [{ ok: true }],
    });
    expect(calls[0]?.variables).toEqual({ email: 'ada@example.com' });
    expect(calls[0]?.secretNames).toEqual(['password']);
    expect(JSON.stringify(calls)).not.toContain('p4ss');
    expect(calls[0]?.observation.screenshot.width).toBe(1280);
  });
});
