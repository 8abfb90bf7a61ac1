import { describe, expect, it } from 'vitest';

import { fixture } from './support/provider-server.js';
import { machineOnPage, useProviderServer } from './support/provider-suite.js';
import { testStores } from './support/server.js';
import { eventsOf } from './support/suite.js';

const serverKey = 'sk-ant-api03-server-key-for-tests-0000000000';

describe.each(testStores)('the Anthropic adapter on %s', (store) => {
  const suite = useProviderServer(store, (url) => ({
    ANTHROPIC_API_KEY: serverKey,
    ANTHROPIC_BASE_URL: url,
    DESKHAND_DEFAULT_MODEL: 'anthropic',
  }));

  it('drives a whole run: clicks, a batch, bash, and the end, with exact requests', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.queue(
      fixture('anthropic/click-button.json'),
      fixture('anthropic/type-and-submit.json'),
      fixture('anthropic/run-bash.json'),
      fixture('anthropic/zoom.json'),
      fixture('anthropic/finished.json'),
    );

    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'click and submit' });
    expect(created.status).toBe(200);
    const run = await api.waitForRun(created.body.id);
    expect(run).toMatchObject({ status: 'succeeded', steps_completed: 5, model: 'anthropic' });
    expect(run.result.summary).toContain('The task is complete.');
    await provider.until('clicked');
    await provider.until('submit:hello');

    const [first, second, third, fourth, fifth] = provider.requests;
    expect(first!.path).toBe('/v1/messages');
    expect(first!.headers).toMatchObject({
      'x-api-key': serverKey,
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'computer-use-2025-11-24',
    });
    expect(first!.body).toMatchObject({
      model: 'claude-sonnet-4-6',
      tools: [
        {
          type: 'computer_20251124',
          name: 'computer',
          display_width_px: 1280,
          display_height_px: 800,
          enable_zoom: true,
        },
        { type: 'bash_20250124', name: 'bash' },
      ],
    });
    const opening = first!.body.messages[0];
    expect(opening.role).toBe('user');
    expect(opening.content[0].text).toContain('Task: click and submit');
    expect(opening.content[1]).toMatchObject({ type: 'image', source: { type: 'base64' } });

    // Every call of the batch is answered, in order; the screen rides on the last answer.
    const answers = third!.body.messages[4].content;
    expect(answers.map((block: any) => block.tool_use_id)).toEqual([
      'toolu_01Dk3fNhaW5Lr1Vq8Ys4zTmP',
      'toolu_01Ek4gPibX6Ms2Wr9Zt5aUnQ',
      'toolu_01Fm5hQjcY7Nt3Xs0Au6bVoR',
    ]);
    expect(answers[2].content.at(-1).type).toBe('image');
    expect(second!.body.messages[1].content).toEqual(
      (fixture('anthropic/click-button.json').body as any).content,
    );
    const bashAnswer = fourth!.body.messages.at(-1).content[0];
    expect(bashAnswer.tool_use_id).toBe('toolu_01Gn6iRkdZ8Ou4Yt1Bv7cWpS');
    expect(bashAnswer.content[0].text).toContain('from-bash');
    const zoomed = fifth!.body.messages.at(-1).content[0];
    expect(zoomed.tool_use_id).toBe('toolu_01Hp7jSleA9Pv5Zu2Cw8dXqT');
    // The zoomed region, then the screen after the step.
    expect(zoomed.content.map((block: any) => block.type)).toEqual(['text', 'image', 'image']);
    const zoomPng = Buffer.from(zoomed.content[1].source.data, 'base64');
    expect([zoomPng.readUInt32BE(16), zoomPng.readUInt32BE(20)]).toEqual([400, 200]);
    for (const request of provider.requests) {
      const images = JSON.stringify(request.body).match(/"type":"image"/g) ?? [];
      expect(images.length).toBeLessThanOrEqual(3);
    }

    const events = await eventsOf(api, run.id);
    const calls = events.filter((event) => event.type === 'tool_call');
    expect(calls.map((event) => event.data.action.type)).toEqual([
      'click',
      'click',
      'type',
      'key',
      'terminal',
    ]);
    const steps = events.filter((event) => event.type === 'step');
    expect(steps[0].data.usage).toEqual({ input_tokens: 2311, output_tokens: 96 });
    expect(JSON.stringify(events)).not.toContain(serverKey);
  });

  it('runs a Claude model named by its id on the server key, with its tool version', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.queue(fixture('anthropic/finished.json'));
    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'by id',
      model: 'claude-opus-4-1-20250805',
    });
    expect(created.body.model).toBe('claude-opus-4-1-20250805');
    expect((await api.waitForRun(created.body.id)).status).toBe('succeeded');
    const [request] = provider.requests;
    expect(request!.headers['anthropic-beta']).toBe('computer-use-2025-01-24');
    expect(request!.body.model).toBe('claude-opus-4-1-20250805');
    expect(request!.body.tools[0].type).toBe('computer_20250124');

    const unknown = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'x',
      model: 'gpt-5',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('MODEL_NOT_AVAILABLE');
  });

  it('retries an overloaded provider at once when retry-after says 0', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.queue(fixture('anthropic/overloaded.json'), fixture('anthropic/finished.json'));

    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'retry' });
    // The server's own backoff is 30 s: only honouring retry-after finishes within the wait.
    const run = await api.waitForRun(created.body.id, undefined, 15_000);
    expect(run.status).toBe('succeeded');
    expect(provider.requests).toHaveLength(2);
    expect(provider.requests[1]!.body).toEqual(provider.requests[0]!.body);
  });

  it('fails the run with a stable code when the provider refuses the key', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.queue(fixture('anthropic/unauthorized.json'));
    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'bad key' });
    const run = await api.waitForRun(created.body.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'LLM_AUTH_FAILED' });
    expect(run.error.message).toContain('invalid x-api-key');
  });

  it('keeps every call answered when a human takes over mid-batch and hands back', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.queue(fixture('anthropic/click-wait-type.json'));

    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'take over' });
    const runId = created.body.id;
    for (let tries = 0; tries < 200; tries += 1) {
      const events = await eventsOf(api, runId);
      if (events.some((event) => event.type === 'tool_call' && event.data.index === 1)) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const paused = await api.post(`/v1/runs/${runId}/pause`, { reason: 'my turn' });
    expect(paused.body.status).toBe('awaiting_human');
    await api.waitForRun(runId, (run) => run.steps_completed === 1);

    provider.queue(fixture('anthropic/finished.json'));
    await api.post(`/v1/runs/${runId}/resume`, { note: 'back to you' });
    const run = await api.waitForRun(runId);
    expect(run.status).toBe('succeeded');

    const resumed = provider.requests[1]!.body.messages;
    expect(resumed).toHaveLength(3);
    const [clicked, waited, typed, note] = resumed[2].content;
    expect(clicked).toMatchObject({ tool_use_id: 'toolu_01Jq8kTmfB0Qw6Av3Dx9eYrU' });
    expect(clicked.is_error).toBeUndefined();
    expect(waited).toMatchObject({ tool_use_id: 'toolu_01Kr9lUngC1Rx7Bw4Ey0fZsV', is_error: true });
    expect(typed).toMatchObject({ tool_use_id: 'toolu_01Ls0mVohD2Sy8Cx5Fz1gAtW', is_error: true });
    expect(typed.content[0].text).toContain('interrupted');
    expect(note.text).toContain('back to you');
  });
});
