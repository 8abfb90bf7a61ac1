// Test helpers only: tsconfig.build.json keeps test-kit files out of the package.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import sharp from 'sharp';

import type { ModelDecision, ModelInput, StepRecord } from '../model.js';
import type { Screenshot } from './model-image.js';

/** A provider on loopback answering each POST with `answer(body)`; keeps the bodies. */
export class FakeProvider {
  readonly bodies: any[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly answer: (body: any) => {
      status?: number;
      headers?: Record<string, string>;
      body: unknown;
    },
  ) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        const body = JSON.parse(raw);
        this.bodies.push(body);
        const reply = this.answer(body);
        response.writeHead(reply.status ?? 200, {
          'content-type': 'application/json',
          ...reply.headers,
        });
        response.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A plain PNG screen of the given size. */
export async function screenOf(width: number, height: number): Promise<Screenshot> {
  const data = await sharp({
    create: { width, height, channels: 3, background: { r: 240, g: 240, b: 250 } },
  })
    .png()
    .toBuffer();
  return { format: 'png', data, width, height };
}

/** The input of step `step` of a run, with the given history. */
export function inputOf(screenshot: Screenshot, history: StepRecord[]): ModelInput {
  return {
    runId: 'run-1',
    step: history.length + 1,
    maxSteps: 100,
    task: 'click the button',
    instructions: null,
    systemPrompt: null,
    observation: { screenshot, settled: true, url: 'http://127.0.0.1/' },
    history,
    humanNote: null,
    variables: {},
    secretNames: [],
  };
}

/** Plays `steps` steps through `decide`, every action succeeding; the decisions made. */
export async function playSteps(
  decide: (input: ModelInput) => Promise<ModelDecision>,
  screenshot: Screenshot,
  steps: number,
): Promise<StepRecord[]> {
  const history: StepRecord[] = [];
  for (let step = 1; step <= steps; step += 1) {
    const decision = await decide(inputOf(screenshot, history));
    history.push({ step, decision, outcomes: decision.actions.map(() => ({ ok: true })) });
  }
  return history;
}

export const settings = {
  apiKey: 'sk-test-key-0000000000000000',
  timeoutMs: 5_000,
  maxAttempts: 3,
  backoffMs: 10,
  imagesKept: 3,
};
