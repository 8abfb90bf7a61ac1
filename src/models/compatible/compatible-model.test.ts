import { afterEach, describe, expect, it } from 'vitest';

import { FakeProvider, inputOf, screenOf, settings } from '../provider/test-kit.js';
import { CompatibleModel } from './compatible-model.js';

const signal = new AbortController().signal;
let provider: FakeProvider | undefined;
afterEach(() => provider?.stop());

function replying(content: string) {
  return new FakeProvider(() => ({
    body: {
      choices: [{ message: { role: 'assistant', content } }],
      usage: { prompt_tokens: 1900, completion_tokens: 38 },
    },
  })).start();
}

describe('GUI models behind an OpenAI-compatible endpoint', () => {
  it('tells Qwen2.5-VL the resized resolution and maps its click to the screen', async () => {
    const call = {
      name: 'computer_use',
      arguments: { action: 'left_click', coordinate: [966, 546] },
    };
    provider = await replying(`Clicking it.\n<tool_call>\n${JSON.stringify(call)}\n</tool_call>`);
    const model = new CompatibleModel({
      ...settings,
      model: 'qwen2.5-vl-7b-instruct',
      baseUrl: provider.url,
    });
    const decision = await model.decide(inputOf(await screenOf(1920, 1080), []), { signal });

    expect(decision.actions).toEqual([{ type: 'click', x: 960, y: 540, button: 'left' }]);
    expect(decision.reasoning).toBe('Clicking it.');
    expect(decision.usage).toEqual({ inputTokens: 1900, outputTokens: 38 });
    const [body] = provider.bodies;
    expect(body.messages[0].role).toBe('system');
    expect(body.messages[0].content).toContain("The screen's resolution is 1932x1092.");
    expect(body.messages[0].content).toContain('<tool_call>');
    expect(body.messages.at(-1).content[0].type).toBe('image_url');
  });

  it('ends on Qwen terminate, and asks a human when UI-TARS calls the user', async () => {
    const terminate = {
      name: 'computer_use',
      arguments: { action: 'terminate', status: 'failure' },
    };
    provider = await replying(`<tool_call>${JSON.stringify(terminate)}</tool_call>`);
    const qwen = new CompatibleModel({ ...settings, model: 'qwen3-vl-8b', baseUrl: provider.url });
    const screen = await screenOf(1280, 800);
    expect((await qwen.decide(inputOf(screen, []), { signal })).done).toEqual({
      success: false,
      summary: 'failure',
    });
    await provider.stop();

    provider = await replying('Thought: I need the password.\nAction: call_user()');
    const tars = new CompatibleModel({
      ...settings,
      model: 'ui-tars-1.5-7b',
      baseUrl: provider.url,
    });
    const decision = await tars.decide(inputOf(screen, []), { signal });
    expect(decision).toMatchObject({ actions: [], needsHuman: { reason: 'I need the password.' } });
  });
});
