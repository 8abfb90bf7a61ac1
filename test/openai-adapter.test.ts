import { describe, expect, it } from 'vitest';

import { fixture } from './support/provider-server.js';
import { machineOnPage, useProviderServer } from './support/provider-suite.js';
import { testStores } from './support/server.js';
import { eventsOf } from './support/suite.js';

const serverKey = 'sk-proj-server-key-for-tests-000000000000';

describe.each(testStores)('the OpenAI adapter on %s', (store) => {
  const suite = useProviderServer(store, (url) => ({
    OPENAI_API_KEY: serverKey,
    OPENAI_BASE_URL: `${url}/v1`,
    DESKHAND_DEFAULT_MODEL: 'openai',
  }));

  it('holds a call with safety checks for a human, then runs it once, acknowledged', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.reports.length = 0;
    provider.queue(fixture('openai/safety-check.json'), fixture('openai/question.json'));

    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'click B' });
    const held = await api.waitForRun(created.body.id, (run) => run.status === 'awaiting_human');
    expect(held.awaiting_human_reason).toContain('instructions the user did not give');
    expect(provider.reports).toEqual([]);

    await api.post(`/v1/runs/${held.id}/resume`, { note: 'go ahead' });
    const asking = await api.waitForRun(
      held.id,
      (run) => run.status === 'awaiting_human' && run.steps_completed === 3,
    );
    expect(asking.awaiting_human_reason).toBe('I clicked B. Should I also submit the form?');
    provider.queue(fixture('openai/task-done.json'));
    await api.post(`/v1/runs/${held.id}/resume`, { note: 'no, that is all' });
    const run = await api.waitForRun(held.id);
    expect(run).toMatchObject({ status: 'succeeded', result: { summary: 'Clicked B as asked.' } });
    expect(provider.reports.filter((report) => report === 'clicked')).toHaveLength(1);

    const [first, second, third] = provider.requests;
    expect(provider.requests).toHaveLength(3);
    expect(first!.path).toBe('/v1/responses');
    expect(first!.headers.authorization).toBe(`Bearer ${serverKey}`);
    expect(first!.body).toMatchObject({
      model: 'computer-use-preview',
      truncation: 'auto',
      tools: [
        {
          type: 'computer_use_preview',
          display_width: 1280,
          display_height: 800,
          environment: 'browser',
        },
        { type: 'function', name: 'task_done' },
      ],
    });
    const output = second!.body.input.find((item: any) => item.type === 'computer_call_output');
    expect(output).toMatchObject({
      call_id: 'call_zxTc4Qy8bKd2Lm9Np0Qr',
      acknowledged_safety_checks: [
        { id: 'cu_sc_67cc0a21c0d1e2f3', code: 'malicious_instructions' },
      ],
      output: { type: 'computer_screenshot', image_url: expect.stringMatching(/^data:image\//) },
    });
    expect(JSON.stringify(second!.body.input)).toContain('A human answered: go ahead');
    expect(JSON.stringify(third!.body.input.slice(-2))).toContain('no, that is all');
  });

  it('performs a batch of actions of one call on the caller’s own key and model', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.queue(fixture('openai/batch.json'), fixture('openai/batch-done.json'));
    const ownKey = 'sk-proj-callers-own-openai-key-4b1d9c';

    const created = await api.post(
      '/v1/runs',
      { machine_id: machineId, task: 'type hello', llm: { provider: 'openai', model: 'gpt-5.4' } },
      { 'X-LLM-Provider': 'openai', 'X-LLM-Api-Key': ownKey },
    );
    expect(created.status).toBe(200);
    const run = await api.waitForRun(created.body.id);
    expect(run.status).toBe('succeeded');
    await provider.until('submit:hello');

    const [first, second] = provider.requests;
    expect(first!.headers.authorization).toBe(`Bearer ${ownKey}`);
    expect(first!.body.tools[0]).toEqual({ type: 'computer' });
    expect(first!.body.model).toBe('gpt-5.4');
    const outputs = second!.body.input.filter((item: any) => item.type === 'computer_call_output');
    expect(outputs).toHaveLength(1);
    expect(outputs[0].call_id).toBe('call_Kd8sJ2hG5fD1aS3qW7eR');
    const calls = (await eventsOf(api, run.id)).filter((event) => event.type === 'tool_call');
    expect(calls.map((event) => event.data.action)).toEqual([
      { type: 'click', x: 200, y: 120, button: 'left' },
      { type: 'type', text: 'hello' },
      { type: 'key', keys: 'ENTER' },
    ]);
  });
});
