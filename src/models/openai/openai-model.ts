import { ModelError } from '../model-error.js';
import type { DecideOptions, Model, ModelAction, ModelDecision, ModelInput } from '../model.js';
import { systemPromptOf } from '../provider/agent-prompt.js';
import type { CallRecord } from '../provider/call-record.js';
import { ImageCache, screenKey } from '../provider/image-cache.js';
import { encodeScreenshot } from '../provider/model-image.js';
import type { ImageLimits, ModelImage } from '../provider/model-image.js';
import { callProvider } from '../provider/provider-call.js';
import type { ProviderSettings } from '../provider/provider-settings.js';
import { ScreenScale } from '../provider/screen-scale.js';
import { mapComputerAction } from './openai-actions.js';
import type { ComputerAction } from './openai-actions.js';
import { buildInput, transcriptOf } from './openai-input.js';
import type { Item, OpenAiTranscript } from './openai-input.js';

export const openaiImageLimits: ImageLimits = {
  fitWidthPx: 1280,
  fitHeightPx: 800,
  maxBase64Bytes: 10 * 1024 * 1024,
};

const doneTool = {
  type: 'function',
  name: 'task_done',
  description: 'Report that the task is finished, successfully or not, with a short summary.',
  parameters: {
    type: 'object',
    properties: { success: { type: 'boolean' }, summary: { type: 'string' } },
    required: ['success', 'summary'],
    additionalProperties: false,
  },
  strict: true,
};

/**
 * OpenAI's computer-use tool on the Responses API. `computer-use-preview` models get the
 * preview tool with the display size; later models the `computer` tool, whose calls may
 * batch several actions. Safety checks hold the call until a human resumes the run.
 */
export class OpenAiModel implements Model {
  readonly name: string;
  private readonly images: ImageCache;

  constructor(private readonly options: ProviderSettings) {
    this.name = options.name ?? 'openai';
    this.images = new ImageCache(Math.max(options.imagesKept, 1) * 2);
  }

  async decide(input: ModelInput, { signal, deadlineAtMs }: DecideOptions): Promise<ModelDecision> {
    const { screenshot } = input.observation;
    const image = await encodeScreenshot(screenshot, openaiImageLimits);
    this.images.put(input.runId, screenKey(input.step), image);
    const held = heldStep(input);
    if (held) {
      return held;
    }
    const scale = new ScreenScale(screenshot.width, screenshot.height, image.width, image.height);
    const reply = await callProvider({
      provider: 'openai',
      url: `${this.options.baseUrl.replace(/\/+$/, '')}/responses`,
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      body: this.requestBody(input, image),
      signal,
      deadlineAtMs,
      timeoutMs: this.options.timeoutMs,
      maxAttempts: this.options.maxAttempts,
      backoffMs: this.options.backoffMs,
      fetch: this.options.fetch ?? globalThis.fetch,
      secrets: [this.options.apiKey],
    });
    return parseResponse(reply.json, scale);
  }

  requestBody(input: ModelInput, image: ModelImage): Record<string, unknown> {
    const preview = this.options.model.startsWith('computer-use-preview');
    const computer = preview
      ? {
          type: 'computer_use_preview',
          display_width: image.width,
          display_height: image.height,
          environment: input.observation.url === undefined ? 'linux' : 'browser',
        }
      : { type: 'computer' };
    return {
      model: this.options.model,
      instructions: systemPromptOf(input, 'Call task_done when the task is finished.'),
      tools: [computer, doneTool],
      input: buildInput(
        input,
        (step) => this.images.get(input.runId, screenKey(step)),
        this.options.imagesKept,
      ),
      reasoning: { summary: 'concise' },
      truncation: 'auto',
    };
  }
}

/** On the step after a pause for safety checks: the held calls run once, acknowledged. */
function heldStep(input: ModelInput): ModelDecision | undefined {
  const last = input.history.at(-1);
  const transcript = transcriptOf(last);
  if (!last || !transcript?.held) {
    return undefined;
  }
  const resumed: OpenAiTranscript = {
    provider: 'openai',
    output: [],
    calls: transcript.calls,
    resumes: last.step,
    note: input.humanNote,
  };
  return {
    actions: transcript.held.actions,
    text: 'A human acknowledged the safety checks; performing the held action.',
    transcript: resumed,
  };
}

interface ResponsesReply {
  status?: string;
  output?: Item[];
  usage?: { input_tokens?: number; output_tokens?: number };
}

function parseResponse(json: unknown, scale: ScreenScale): ModelDecision {
  const reply = json as ResponsesReply;
  if (!Array.isArray(reply?.output)) {
    throw new ModelError('LLM_INVALID_RESPONSE', 'openai answered without output.', false);
  }
  const transcript: OpenAiTranscript = { provider: 'openai', output: reply.output, calls: [] };
  const actions: ModelAction[] = [];
  const checks: Item[] = [];
  let done: ModelDecision['done'];
  for (const item of reply.output) {
    if (item.type === 'computer_call') {
      const mapped = mapCall(item, scale);
      actions.push(...mapped.actions);
      transcript.calls.push(mapped.record);
      checks.push(...((item.pending_safety_checks as Item[] | undefined) ?? []));
    } else if (item.type === 'function_call') {
      const callId = String(item.call_id);
      transcript.calls.push({ id: callId, actionCount: 0, kind: 'screen' });
      done = doneOf(item);
    }
  }
  const text = messageText(reply.output);
  const reasoning = reasoningText(reply.output);
  const usage = {
    inputTokens: reply.usage?.input_tokens,
    outputTokens: reply.usage?.output_tokens,
  };
  const common = { ...(text ? { text } : {}), ...(reasoning ? { reasoning } : {}), usage };
  if (checks.length > 0) {
    transcript.held = { checks, actions };
    const reason = checks.map((check) => String(check.message ?? check.code)).join(' ');
    return { ...common, actions: [], needsHuman: { reason }, transcript };
  }
  if (transcript.calls.length === 0) {
    const reason = text || 'The model stopped without acting or saying why.';
    return { ...common, actions: [], needsHuman: { reason }, transcript };
  }
  return { ...common, actions, ...(done ? { done } : {}), transcript };
}

function mapCall(item: Item, scale: ScreenScale): { actions: ModelAction[]; record: CallRecord } {
  const id = String(item.call_id);
  const batch = Array.isArray(item.actions) ? item.actions : item.action ? [item.action] : [];
  const actions: ModelAction[] = [];
  for (const action of batch as ComputerAction[]) {
    const mapped = mapComputerAction(action, scale);
    if (!mapped.ok) {
      return {
        actions: [],
        record: { id, actionCount: 0, kind: 'unsupported', note: mapped.reason },
      };
    }
    actions.push(...mapped.actions);
  }
  return { actions, record: { id, actionCount: actions.length, kind: 'screen' } };
}

function doneOf(item: Item): ModelDecision['done'] {
  try {
    const args = JSON.parse(String(item.arguments)) as { success?: unknown; summary?: unknown };
    return { success: args.success === true, summary: String(args.summary ?? '') };
  } catch {
    return { success: false, summary: 'The model ended the task with unreadable arguments.' };
  }
}

function messageText(output: Item[]): string {
  return output
    .filter((item) => item.type === 'message')
    .flatMap((item) => (item.content as Item[] | undefined) ?? [])
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n')
    .trim();
}

function reasoningText(output: Item[]): string {
  return output
    .filter((item) => item.type === 'reasoning')
    .flatMap((item) => (item.summary as Item[] | undefined) ?? [])
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n')
    .trim();
}
