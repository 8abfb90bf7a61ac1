import { ModelError } from '../model-error.js';
import type { DecideOptions, Model, ModelDecision, ModelInput } from '../model.js';
import { humanNoteMessage } from '../provider/agent-prompt.js';
import { ImageCache, screenKey } from '../provider/image-cache.js';
import { encodeScreenshot } from '../provider/model-image.js';
import type { ImageLimits, ModelImage } from '../provider/model-image.js';
import { lastPointer } from '../provider/pointer.js';
import { callProvider } from '../provider/provider-call.js';
import type { ProviderSettings } from '../provider/provider-settings.js';
import type { ScreenScale } from '../provider/screen-scale.js';
import { familyOf, scaleFor, spaceOf } from './gui-model-family.js';
import type { GuiModelFamily } from './gui-model-family.js';
import { qwenSystemPrompt, uiTarsPrompt } from './gui-prompts.js';
import type { ParsedReply } from './parsed-reply.js';
import { parseQwen } from './qwen-parser.js';
import { parseUiTars } from './ui-tars-parser.js';

/** GUI models read the screen at its own size; only very large captures are shrunk. */
export const compatibleImageLimits: ImageLimits = {
  fitWidthPx: 3840,
  fitHeightPx: 2160,
  maxBase64Bytes: 10 * 1024 * 1024,
};

export interface CompatibleModelOptions extends ProviderSettings {
  /** The action format and coordinate space; by model name where not given. */
  family?: Partial<GuiModelFamily>;
}

interface CompatibleTranscript {
  provider: 'compatible';
  reply: string;
  problems: string[];
}

type Message = { role: 'system' | 'user' | 'assistant'; content: unknown };

/**
 * A GUI model (UI-TARS, Qwen-VL) served behind any OpenAI-compatible chat endpoint (vLLM,
 * SGLang, a gateway): its text replies are parsed into actions, and its coordinates mapped
 * from its own space to the screen.
 */
export class CompatibleModel implements Model {
  readonly name: string;
  readonly family: GuiModelFamily;
  private readonly images: ImageCache;

  constructor(private readonly options: CompatibleModelOptions) {
    this.name = options.name ?? 'compatible';
    this.family = familyOf(options.model, options.family);
    this.images = new ImageCache(Math.max(options.imagesKept, 1) * 2);
  }

  async decide(input: ModelInput, { signal, deadlineAtMs }: DecideOptions): Promise<ModelDecision> {
    const { screenshot } = input.observation;
    const image = await encodeScreenshot(screenshot, compatibleImageLimits);
    this.images.put(input.runId, screenKey(input.step), image);
    const scale = scaleFor(this.family.coordinates, screenshot, image);
    const apiKey = this.options.apiKey;
    const reply = await callProvider({
      provider: 'compatible',
      url: `${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`,
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      body: this.requestBody(input, image),
      signal,
      deadlineAtMs,
      timeoutMs: this.options.timeoutMs,
      maxAttempts: this.options.maxAttempts,
      backoffMs: this.options.backoffMs,
      fetch: this.options.fetch ?? globalThis.fetch,
      secrets: apiKey ? [apiKey] : [],
    });
    return this.decisionOf(reply.json, input, scale);
  }

  requestBody(input: ModelInput, image: ModelImage): Record<string, unknown> {
    const space = spaceOf(this.family.coordinates, image.width, image.height);
    const opening: Message[] =
      this.family.format === 'ui-tars'
        ? [{ role: 'user', content: uiTarsPrompt(input) }]
        : [
            { role: 'system', content: qwenSystemPrompt(input, this.family, space) },
            { role: 'user', content: input.task },
          ];
    return {
      model: this.options.model,
      messages: [...opening, ...this.history(input)],
      max_tokens: 1024,
      temperature: 0,
    };
  }

  /** Each step: the screen it saw (the last N only), the model's reply, what went wrong. */
  private history(input: ModelInput): Message[] {
    const oldestShown = input.step - this.options.imagesKept + 1;
    const screen = (step: number): Message[] => {
      const image = step >= oldestShown ? this.images.get(input.runId, screenKey(step)) : undefined;
      return image ? [{ role: 'user', content: [imagePart(image)] }] : [];
    };
    const messages: Message[] = [];
    for (const record of input.history) {
      const transcript = record.decision.transcript as CompatibleTranscript | undefined;
      messages.push(...screen(record.step));
      messages.push({ role: 'assistant', content: transcript?.reply ?? '' });
      const failures = record.outcomes.filter((outcome) => !outcome.ok).map((o) => o.error);
      const notes = [...(transcript?.problems ?? []), ...failures];
      if (notes.length > 0) {
        messages.push({ role: 'user', content: notes.join('\n') });
      }
    }
    if (input.humanNote) {
      messages.push({ role: 'user', content: humanNoteMessage(input.humanNote) });
    }
    return [...messages, ...screen(input.step)];
  }

  private decisionOf(json: unknown, input: ModelInput, scale: ScreenScale): ModelDecision {
    const reply = json as ChatReply;
    const text = textOf(reply?.choices?.[0]?.message?.content);
    if (text === undefined) {
      throw new ModelError('LLM_INVALID_RESPONSE', 'compatible answered without a message.', false);
    }
    const parsed: ParsedReply =
      this.family.format === 'ui-tars'
        ? parseUiTars(text)
        : parseQwen(text, scale.toModel(lastPointer(input)));
    const transcript: CompatibleTranscript = {
      provider: 'compatible',
      reply: text,
      problems: parsed.problems,
    };
    return {
      actions: parsed.actions.map((action) => scale.actionToScreen(action)),
      ...(parsed.thought ? { reasoning: parsed.thought } : {}),
      ...(parsed.done ? { done: parsed.done } : {}),
      ...(parsed.needsHuman && !parsed.done ? { needsHuman: parsed.needsHuman } : {}),
      usage: {
        inputTokens: reply.usage?.prompt_tokens,
        outputTokens: reply.usage?.completion_tokens,
      },
      transcript,
    };
  }
}

interface ChatReply {
  choices?: Array<{ message?: { content?: unknown } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content.map((part: { text?: unknown }) => String(part?.text ?? '')).join('');
  }
  return undefined;
}

function imagePart(image: ModelImage) {
  return {
    type: 'image_url',
    image_url: { url: `data:${image.mediaType};base64,${image.base64}` },
  };
}
