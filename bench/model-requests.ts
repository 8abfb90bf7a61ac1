import sharp from 'sharp';

import { AnthropicModel } from '../src/models/anthropic/anthropic-model.js';
import { CompatibleModel } from '../src/models/compatible/compatible-model.js';
import { spaceOf } from '../src/models/compatible/gui-model-family.js';
import type { Model } from '../src/models/index.js';
import { OpenAiModel } from '../src/models/openai/openai-model.js';
import type { Screenshot } from '../src/models/provider/model-image.js';
import { FakeProvider, playSteps, settings } from '../src/models/provider/test-kit.js';

/** One adapter at one screen size: what each request weighs. */
export interface ModelRequestResult {
  adapter: string;
  screen: string;
  sentImage: string;
  imageTokens: number;
  firstRequestBytes: number;
  steadyRequestBytes: number;
}

const screens = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const steps = 12;

/**
 * Plays 12 steps of each adapter against a local fake provider, at each screen size, and
 * reports the request body size (step 1, and step 12 once the screenshot window is full) and
 * the image tokens of one screenshot by each provider's published counting rule.
 */
export async function measureModelRequests(): Promise<ModelRequestResult[]> {
  const results: ModelRequestResult[] = [];
  for (const size of screens) {
    const screenshot = await pageLike(size.width, size.height);
    for (const adapter of adapters) {
      results.push(await measure(adapter, screenshot));
    }
  }
  return results;
}

interface Adapter {
  name: string;
  reply: (call: number) => unknown;
  create: (baseUrl: string) => Model;
  imageTokens: (width: number, height: number) => number;
}

const adapters: Adapter[] = [
  {
    name: 'anthropic',
    reply: (call) => ({
      content: [{ type: 'tool_use', id: `t${call}`, name: 'computer', input: click }],
    }),
    create: (baseUrl) => new AnthropicModel({ ...settings, model: 'claude-sonnet-4-6', baseUrl }),
    imageTokens: (width, height) => Math.ceil((width * height) / 750),
  },
  {
    name: 'openai',
    reply: (call) => ({
      output: [{ type: 'computer_call', call_id: `c${call}`, action: openaiClick }],
    }),
    create: (baseUrl) => new OpenAiModel({ ...settings, model: 'computer-use-preview', baseUrl }),
    imageTokens: openaiImageTokens,
  },
  {
    name: 'compatible (ui-tars-1.5)',
    reply: () => ({ choices: [{ message: { content: "Action: click(start_box='(10,10)')" } }] }),
    create: (baseUrl) => new CompatibleModel({ ...settings, model: 'ui-tars-1.5-7b', baseUrl }),
    imageTokens: (width, height) => {
      const space = spaceOf('resized-pixels', width, height);
      return (space.width / 28) * (space.height / 28);
    },
  },
];

const click = { action: 'left_click', coordinate: [10, 10] };
const openaiClick = { type: 'click', button: 'left', x: 10, y: 10 };

async function measure(adapter: Adapter, screenshot: Screenshot): Promise<ModelRequestResult> {
  let call = 0;
  const provider = await new FakeProvider(() => ({ body: adapter.reply((call += 1)) })).start();
  try {
    const model = adapter.create(provider.url);
    const signal = new AbortController().signal;
    await playSteps((input) => model.decide(input, { signal }), screenshot, steps);
    const sent = await sentSize(provider.bodies[0]);
    return {
      adapter: adapter.name,
      screen: `${screenshot.width}×${screenshot.height}`,
      sentImage: `${sent.width}×${sent.height}`,
      imageTokens: adapter.imageTokens(sent.width, sent.height),
      firstRequestBytes: JSON.stringify(provider.bodies[0]).length,
      steadyRequestBytes: JSON.stringify(provider.bodies.at(-1)).length,
    };
  } finally {
    await provider.stop();
  }
}

/** OpenAI's high-detail rule: fit 2048², shortest side to 768, 170 per 512 tile plus 85. */
function openaiImageTokens(width: number, height: number): number {
  const fit = Math.min(1, 2048 / Math.max(width, height));
  const shrink = Math.min(1, 768 / Math.min(width * fit, height * fit));
  const tiles = Math.ceil((width * fit * shrink) / 512) * Math.ceil((height * fit * shrink) / 512);
  return 85 + 170 * tiles;
}

async function sentSize(body: unknown): Promise<{ width: number; height: number }> {
  const base64 = /base64,([A-Za-z0-9+/=]+)|"data":"([A-Za-z0-9+/=]+)"/.exec(JSON.stringify(body));
  const data = Buffer.from(base64?.[1] ?? base64?.[2] ?? '', 'base64');
  const { width = 0, height = 0 } = await sharp(data).metadata();
  return { width, height };
}

/** A screen that compresses like a web page: bars, boxes and lines of text. */
async function pageLike(width: number, height: number): Promise<Screenshot> {
  const lines = Array.from({ length: Math.floor(height / 28) }, (_, index) => {
    const y = 120 + index * 24;
    return `<text x="40" y="${y}" font-size="16">Line ${index}: the quick brown fox jumps</text>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#fff"/><rect width="100%" height="64" fill="#245"/>
    <rect x="${width - 260}" y="100" width="220" height="48" rx="6" fill="#38c"/>
    ${lines}</svg>`;
  const data = await sharp(Buffer.from(svg)).png().toBuffer();
  return { format: 'png', data, width, height };
}

export function modelRequestTable(results: ModelRequestResult[]): string {
  const header = [
    '### Model requests: 12 steps per adapter, 3 screenshots kept',
    '',
    '| adapter | screen | sent as | image tokens | step 1 request | step 12 request |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const rows = results.map(
    (r) =>
      `| ${r.adapter} | ${r.screen} | ${r.sentImage} | ${r.imageTokens} | ` +
      `${kib(r.firstRequestBytes)} | ${kib(r.steadyRequestBytes)} |`,
  );
  return [...header, ...rows].join('\n');
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
