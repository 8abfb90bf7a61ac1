import { ModelError } from '../model-error.js';
import type { DecideOptions, Model, ModelAction, ModelDecision, ModelInput } from '../model.js';
import { systemPromptOf } from '../provider/agent-prompt.js';
import { ImageCache, screenKey } from '../provider/image-cache.js';
import { encodeRegion, encodeScreenshot } from '../provider/model-image.js';
import type { ImageLimits, ModelImage } from '../provider/model-image.js';
import { callProvider } from '../provider/provider-call.js';
import type { ProviderSettings } from '../provider/provider-settings.js';
import { lastPointer } from '../provider/pointer.js';
import { ScreenScale } from '../provider/screen-scale.js';
import { mapToolUse } from './anthropic-actions.js';
import type { ToolUse } from './anthropic-actions.js';
import { buildMessages, keepLastImages } from './anthropic-request.js';
import type { AnthropicTranscript } from './anthropic-request.js';
import { betaHeaderFor, toolHints, toolVersionFor, toolsFor } from './anthropic-tools.js';
import type { ComputerToolVersion } from './anthropic-tools.js';

/** Anthropic accepts up to 8000 px a side and 5 MB of base64, and reads best near 1280×800. */
export const anthropicImageLimits: ImageLimits = {
  fitWidthPx: 1280,
  fitHeightPx: 800,
  maxBase64Bytes: 5 * 1024 * 1024,
};

export interface AnthropicModelOptions extends ProviderSettings {
  /** The tool version; chosen from the model id when not given. */
  toolVersion?: ComputerToolVersion;
  /** The most tokens one reply may have. Default 4096. */
  maxTokens?: number;
}

/**
 * Claude through the Messages API with the computer-use tool and the bash tool: the screen
 * is sent scaled to what Claude reads best, and its coordinates are scaled back to the screen.
 */
export class AnthropicModel implements Model {
  readonly name: string;
  private readonly version: ComputerToolVersion;
  private readonly images: ImageCache;

  constructor(private readonly options: AnthropicModelOptions) {
    this.name = options.name ?? 'anthropic';
    this.version = options.toolVersion ?? toolVersionFor(options.model);
    this.images = new ImageCache(Math.max(options.imagesKept, 1) * 2);
  }

  async decide(input: ModelInput, { signal, deadlineAtMs }: DecideOptions): Promise<ModelDecision> {
    const { screenshot } = input.observation;
    const image = await encodeScreenshot(screenshot, anthropicImageLimits);
    this.images.put(input.runId, screenKey(input.step), image);
    await this.zoomInto(input);

    const scale = new ScreenScale(screenshot.width, screenshot.height, image.width, image.height);
    const reply = await callProvider({
      provider: 'anthropic',
      url: `${this.options.baseUrl.replace(/\/+$/, '')}/v1/messages`,
      headers: {
        'x-api-key': this.options.apiKey,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': betaHeaderFor(this.version),
      },
      body: this.requestBody(input, image),
      signal,
      deadlineAtMs,
      timeoutMs: this.options.timeoutMs,
      maxAttempts: this.options.maxAttempts,
      backoffMs: this.options.backoffMs,
      fetch: this.options.fetch ?? globalThis.fetch,
      secrets: [this.options.apiKey],
    });
    return parseReply(reply.json, scale, lastPointer(input));
  }

  /** The request body of this step, the screenshot already encoded. */
  requestBody(input: ModelInput, image: ModelImage): Record<string, unknown> {
    const messages = buildMessages(input, {
      screen: (step) => this.images.get(input.runId, screenKey(step)),
      zoom: (callId) => this.images.get(input.runId, `zoom:${callId}`),
    });
    keepLastImages(messages, this.options.imagesKept);
    return {
      model: this.options.model,
      max_tokens: this.options.maxTokens ?? 4096,
      system: systemPromptOf(input, toolHints),
      tools: toolsFor(this.version, image),
      messages,
    };
  }

  /**
   * Answers the last step's zoom calls from the screen as it is now.
   * LIMITATION: a zoom followed by other actions in the same reply sees the screen after them;
   * capturing mid-step would need the engine to observe between actions.
   */
  private async zoomInto(input: ModelInput): Promise<void> {
    const last = input.history.at(-1)?.decision.transcript as AnthropicTranscript | undefined;
    for (const call of last?.calls ?? []) {
      if (call.kind === 'zoom' && call.region) {
        const key = `zoom:${call.id}`;
        const zoomed = await encodeRegion(
          input.observation.screenshot,
          call.region,
          anthropicImageLimits,
        );
        this.images.put(input.runId, key, zoomed);
      }
    }
  }
}

interface AnthropicReply {
  content?: Array<Record<string, unknown>>;
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

function parseReply(
  json: unknown,
  scale: ScreenScale,
  pointer: { x: number; y: number },
): ModelDecision {
  const reply = json as AnthropicReply;
  if (!Array.isArray(reply?.content)) {
    throw new ModelError('LLM_INVALID_RESPONSE', 'anthropic answered without content.', false);
  }
  const context = { scale, pointer };
  const texts: string[] = [];
  const thoughts: string[] = [];
  const actions: ModelAction[] = [];
  const transcript: AnthropicTranscript = {
    provider: 'anthropic',
    content: reply.content,
    calls: [],
  };
  for (const block of reply.content) {
    if (block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      thoughts.push(block.thinking);
    } else if (block.type === 'tool_use') {
      const mapped = mapToolUse(block as unknown as ToolUse, context);
      actions.push(...mapped.actions);
      transcript.calls.push(mapped.record);
    }
  }
  const said = texts.join('\n').trim();
  return {
    actions,
    ...(thoughts.length > 0 ? { reasoning: thoughts.join('\n') } : {}),
    ...(said ? { text: said } : {}),
    ...endOf(reply.stop_reason, transcript.calls.length, said),
    usage: { inputTokens: reply.usage?.input_tokens, outputTokens: reply.usage?.output_tokens },
    transcript,
  };
}

/** A reply without calls ends the task; a refusal goes to a human. */
function endOf(
  stopReason: string | undefined,
  calls: number,
  said: string,
): Partial<ModelDecision> {
  if (calls > 0) {
    return {};
  }
  if (stopReason === 'refusal') {
    return { needsHuman: { reason: said || 'The model declined to go on.' } };
  }
  return { done: { success: true, summary: said || 'Done.' } };
}
