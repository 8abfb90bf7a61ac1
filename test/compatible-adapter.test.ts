import { describe, expect, it } from 'vitest';

import { fixture } from './support/provider-server.js';
import { machineOnPage, useProviderServer } from './support/provider-suite.js';
import { testStores } from './support/server.js';
import { eventsOf } from './support/suite.js';

describe.each(testStores)('a UI-TARS model behind an OpenAI-compatible endpoint on %s', (store) => {
  const suite = useProviderServer(store, (url) => ({
    DESKHAND_COMPATIBLE_BASE_URL: `${url}/v1`,
    DESKHAND_COMPATIBLE_MODEL: 'ui-tars-1.5-7b',
    DESKHAND_DEFAULT_MODEL: 'compatible',
  }));

  it('parses its actions, maps its resized-pixel coordinates and finishes', async () => {
    const { api, provider } = suite;
    const machineId = await machineOnPage(suite);
    provider.requests.length = 0;
    provider.queue(
      fixture('compatible/ui-tars-click.json'),
      fixture('compatible/ui-tars-type.json'),
      fixture('compatible/ui-tars-finished.json'),
    );

    const created = await api.post('/v1/runs', { machine_id: machineId, task: 'click B' });
    const run = await api.waitForRun(created.body.id);
    expect(run).toMatchObject({ status: 'succeeded', steps_completed: 3 });
    expect(run.result.summary).toBe("Clicked B and submitted 'hello'.");
    await provider.until('clicked');
    await provider.until('submit:hello');

    const [first, , third] = provider.requests;
    expect(first!.path).toBe('/v1/chat/completions');
    expect(first!.headers.authorization).toBeUndefined();
    expect(first!.body).toMatchObject({ model: 'ui-tars-1.5-7b', temperature: 0 });
    expect(first!.body.messages[0].content).toContain('## Action Space');
    expect(first!.body.messages[0].content).toContain('click B');
    expect(first!.body.messages[1].content[0].image_url.url).toMatch(/^data:image\/png;base64,/);
    const replies = third!.body.messages.filter((message: any) => message.role === 'assistant');
    expect(replies.map((message: any) => message.content)).toEqual([
      (fixture('compatible/ui-tars-click.json').body as any).choices[0].message.content,
      (fixture('compatible/ui-tars-type.json').body as any).choices[0].message.content,
    ]);

    // 1280×800 is seen as 1288×812 (sides rounded to multiples of 28).
    const calls = (await eventsOf(api, run.id)).filter((event) => event.type === 'tool_call');
    expect(calls.map((event) => event.data.action)).toEqual([
      { type: 'click', x: 100, y: 25, button: 'left' },
      { type: 'click', x: 199, y: 121, button: 'left' },
      { type: 'type', text: 'hello\n' },
    ]);
  });
});
