import { z } from 'zod';

import { AgentAction } from '../../contracts/index.js';
import { isAbortError, sleep } from '../../core/index.js';
import { ModelError } from '../model-error.js';
import type { DecideOptions, Model, ModelDecision, ModelInput } from '../model.js';

export interface HttpModelOptions {
  name?: string;
  url: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Attempts on 429 and 5xx, the first included. Default 3. */
  maxAttempts?: number;
}

const DecisionBody = z
  .object({
    actions: z.array(AgentAction).max(50).default([]),
    reasoning: z.string().max(100_000).optional(),
    text: z.string().max(100_000).optional(),
    done: z.object({ success: z.boolean(), summary: z.string().max(100_000) }).optional(),
    needs_human: z.object({ reason: z.string().min(1).max(10_000) }).optional(),
    usage: z
      .object({
        input_tokens: z.number().int().optional(),
        output_tokens: z.number().int().optional(),
      })
      .optional(),
  })
  .refine((decision) => !(decision.done && decision.needs_human), {
    message: 'a decision is either done or needs a human, not both',
  });

/**
 * An agent served over HTTP (the `deskhand.agent/1` protocol in docs/model-protocol.md): each
 * step POSTs the observation and history as JSON and reads back the decision. It lets any
 * program in any language drive runs, and the tests drive the engine through it.
 */
export class HttpModel implements Model {
  readonly name: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpModelOptions) {
    this.name = options.name ?? 'http';
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async decide(input: ModelInput, options: DecideOptions): Promise<ModelDecision> {
    const body = JSON.stringify(requestBody(input));
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.post(body, options.signal);
      } catch (error) {
        if (!(error instanceof RetryableResponse) || attempt >= maxAttempts) {
          throw error instanceof RetryableResponse ? error.modelError : error;
        }
        await sleep(error.retryAfterMs ?? 500 * 2 ** (attempt - 1), options.signal);
      }
    }
  }

  private async post(body: string, runSignal: AbortSignal): Promise<ModelDecision> {
    const signal = AbortSignal.any([runSignal, AbortSignal.timeout(this.options.timeoutMs)]);
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal,
      });
    } catch (error) {
      throw translateFetchError(error, runSignal);
    }

    const text = await response.text();
    if (!response.ok) {
      throw statusError(response, text);
    }
    return parseDecision(text);
  }
}

class RetryableResponse extends Error {
  constructor(
    readonly modelError: ModelError,
    readonly retryAfterMs?: number,
  ) {
    super(modelError.message);
  }
}

function translateFetchError(error: unknown, runSignal: AbortSignal): unknown {
  if (runSignal.aborted) {
    return runSignal.reason;
  }
  if (isAbortError(error)) {
    return new ModelError('LLM_TIMEOUT', 'The model did not answer in time.', true);
  }
  return new ModelError('LLM_UNREACHABLE', 'The model endpoint could not be reached.', true, {
    cause: error,
  });
}

function statusError(response: Response, text: string): Error {
  const detail = text.slice(0, 200);
  if (response.status === 429 || response.status >= 500) {
    const code = response.status === 429 ? 'LLM_PROVIDER_RATE_LIMITED' : 'LLM_PROVIDER_ERROR';
    const error = new ModelError(code, `The model answered ${response.status}: ${detail}`, true);
    return new RetryableResponse(error, retryAfterMs(response.headers.get('retry-after')));
  }
  return new ModelError(
    'LLM_REQUEST_REJECTED',
    `The model answered ${response.status}: ${detail}`,
    false,
  );
}

function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 60) * 1000 : undefined;
}

function parseDecision(text: string): ModelDecision {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelError('LLM_INVALID_RESPONSE', 'The model answered with invalid JSON.', false);
  }
  const parsed = DecisionBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown field';
    throw new ModelError(
      'LLM_INVALID_RESPONSE',
      `The model's decision is invalid (${where}).`,
      false,
    );
  }
  const { needs_human, usage, ...rest } = parsed.data;
  return {
    ...rest,
    ...(needs_human ? { needsHuman: needs_human } : {}),
    ...(usage
      ? { usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } }
      : {}),
  };
}

function requestBody(input: ModelInput) {
  const { observation } = input;
  return {
    protocol: 'deskhand.agent/1',
    run_id: input.runId,
    step: input.step,
    max_steps: input.maxSteps,
    task: input.task,
    instructions: input.instructions,
    system_prompt: input.systemPrompt,
    observation: {
      screenshot: {
        format: observation.screenshot.format,
        width: observation.screenshot.width,
        height: observation.screenshot.height,
        base64: observation.screenshot.data.toString('base64'),
      },
      url: observation.url ?? null,
      accessibility_tree: observation.accessibilityTree ?? null,
      terminal_text: observation.terminalText ?? null,
      settled: observation.settled,
    },
    history: input.history.map((record) => ({
      step: record.step,
      decision: record.decision,
      outcomes: record.outcomes,
    })),
    human_note: input.humanNote,
    variables: input.variables,
    secret_names: input.secretNames,
  };
}
