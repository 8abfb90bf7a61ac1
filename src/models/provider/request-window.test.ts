import { randomBytes } from 'node:crypto';

import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';

import { AnthropicModel, anthropicImageLimits } from '../anthropic/anthropic-model.js';
import { CompatibleModel } from '../compatible/compatible-model.js';
import { OpenAiModel } from '../openai/openai-model.js';
import { encodeScreenshot } from './model-image.js';
import { FakeProvider, playSteps, screenOf, settings } from './test-kit.js';

const signal = new AbortController().signal;
let provider: FakeProvider | undefined;
afterEach(() => provider?.stop());

const count = (body: unknown, pattern: RegExp) => JSON.stringify(body).match(pattern)?.length ?? 0;

describe('requests over a long run', () => {
  it('shows Claude at most 3 screenshots in 40 steps and answers every tool call', async () => {
    let call = 0;
    provider = await new FakeProvider(() => {
      call += 1;
      const input = { action: 'left_click', coordinate: [10, 10] };
      return {
        body: {
          content: [{ type: 'tool_use', id: `toolu_${call}`, name: 'computer', input }],
          stop_reason: 'tool_use',
        },
      };
    }).start();
    const model = new AnthropicModel({
      ...settings,
      model: 'claude-sonnet-4-6',
      baseUrl: provider.url,
    });
    await playSteps((input) => model.decide(input, { signal }), await screenOf(1280, 800), 40);

    for (const body of provider.bodies) {
      expect(count(body, /"type":"image"/g)).toBeLessThanOrEqual(3);
      const uses = count(body, /"type":"tool_use"/g);
      expect(count(body, /"type":"tool_result"/g)).toBe(uses);
    }
    expect(count(provider.bodies.at(-1), /"type":"image"/g)).toBe(3);
    expect(provider.bodies.at(-1).messages).toHaveLength(1 + 2 * 39);
  });

  it('keeps OpenAI at 3 screenshots, older steps told as text, calls with outputs', async () => {
    let call = 0;
    provider = await new FakeProvider(() => {
      call += 1;
      const action = { type: 'click', button: 'left', x: 10, y: 10 };
      const item = { type: 'computer_call', id: `cu_${call}`, call_id: `call_${call}`, action };
      return { body: { output: [{ ...item, pending_safety_checks: [] }] } };
    }).start();
    const model = new OpenAiModel({
      ...settings,
      model: 'computer-use-preview',
      baseUrl: provider.url,
    });
    await playSteps((input) => model.decide(input, { signal }), await screenOf(1280, 800), 40);

    for (const body of provider.bodies) {
      expect(count(body, /data:image\//g)).toBeLessThanOrEqual(3);
      const callIds = body.input.filter((item: any) => item.type === 'computer_call');
      const outputs = body.input.filter((item: any) => item.type === 'computer_call_output');
      expect(outputs.map((item: any) => item.call_id)).toEqual(
        callIds.map((item: any) => item.call_id),
      );
    }
    expect(count(provider.bodies.at(-1), /data:image\//g)).toBe(3);
  });

  it('shows a GUI model its last 3 screens with all of its replies', async () => {
    provider = await new FakeProvider(() => ({
      body: { choices: [{ message: { content: "Action: click(start_box='(10,10)')" } }] },
    })).start();
    const model = new CompatibleModel({
      ...settings,
      model: 'ui-tars-1.5-7b',
      baseUrl: provider.url,
    });
    await playSteps((input) => model.decide(input, { signal }), await screenOf(1280, 800), 40);

    for (const body of provider.bodies) {
      expect(count(body, /"type":"image_url"/g)).toBeLessThanOrEqual(3);
    }
    const last = provider.bodies.at(-1);
    expect(last.messages.filter((message: any) => message.role === 'assistant')).toHaveLength(39);
  });
});

describe('screenshots within provider limits', () => {
  it('shrinks an oversized capture under 8000 px a side and 5 MB of base64', async () => {
    const width = 8500;
    const height = 1000;
    const noise = randomBytes(width * height * 3);
    const data = await sharp(noise, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    expect(data.length * (4 / 3)).toBeGreaterThan(5 * 1024 * 1024);

    const image = await encodeScreenshot(
      { format: 'png', data, width, height },
      anthropicImageLimits,
    );
    expect(image.width).toBeLessThanOrEqual(1280);
    expect(image.height).toBeLessThanOrEqual(800);
    expect(image.base64.length).toBeLessThanOrEqual(5 * 1024 * 1024);
  });

  it('falls back to JPEG, then to a smaller size, when PNG is over the byte limit', async () => {
    const width = 1280;
    const height = 800;
    const noise = randomBytes(width * height * 3);
    const data = await sharp(noise, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    const limits = { fitWidthPx: 1280, fitHeightPx: 800, maxBase64Bytes: 200_000 };
    const image = await encodeScreenshot({ format: 'png', data, width, height }, limits);
    expect(image.mediaType).toBe('image/jpeg');
    expect(image.base64.length).toBeLessThanOrEqual(200_000);
    expect(image.width / image.height).toBeCloseTo(1.6, 1);
  });
});
