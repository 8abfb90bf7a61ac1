import type { Config } from '../../config/index.js';
import { AnthropicModel } from '../anthropic/anthropic-model.js';
import { CompatibleModel } from '../compatible/compatible-model.js';
import type { Model } from '../model.js';
import { OpenAiModel } from '../openai/openai-model.js';
import type { ProviderSettings } from '../provider/provider-settings.js';

/** The providers a run can name in `llm.provider` or `X-LLM-Provider` with its own key. */
export const ownKeyProviders = ['anthropic', 'openai'] as const;
export type OwnKeyProvider = (typeof ownKeyProviders)[number];

/** What a run asks of a provider: a model id, with the key to pay for it. */
export interface ProviderRequest {
  model?: string | null;
  apiKey: string;
}

/** Builds provider models from the server's configuration, for its own key or a run's. */
export class ProviderFactory {
  constructor(
    private readonly config: Config,
    private readonly fetcher?: typeof globalThis.fetch,
  ) {}

  /** The model id a provider uses when a run names none. */
  defaultModel(provider: OwnKeyProvider): string {
    return provider === 'anthropic' ? this.config.anthropicModel : this.config.openaiModel;
  }

  create(provider: OwnKeyProvider, request: ProviderRequest, name?: string): Model {
    const model = request.model ?? this.defaultModel(provider);
    if (provider === 'anthropic') {
      return new AnthropicModel({
        ...this.common(request.apiKey, name ?? 'anthropic'),
        model,
        baseUrl: this.config.anthropicBaseUrl,
        toolVersion: this.config.anthropicToolVersion,
      });
    }
    return new OpenAiModel({
      ...this.common(request.apiKey, name ?? 'openai'),
      model,
      baseUrl: this.config.openaiBaseUrl,
    });
  }

  /**
   * A provider's model named by its own id (`claude-opus-4-5`, `computer-use-preview`) on the
   * server's key, when the server has a key for that provider.
   */
  serverModel(modelId: string): Model | undefined {
    const provider = /^claude-/.test(modelId)
      ? 'anthropic'
      : /^(computer-use-preview|gpt-)/.test(modelId)
        ? 'openai'
        : undefined;
    const apiKey =
      provider === 'anthropic' ? this.config.anthropicApiKey : this.config.openaiApiKey;
    if (!provider || !apiKey) {
      return undefined;
    }
    return this.create(provider, { model: modelId, apiKey }, modelId);
  }

  /** The GUI model behind the configured OpenAI-compatible endpoint. */
  compatible(): Model {
    return new CompatibleModel({
      ...this.common(this.config.compatibleApiKey ?? '', 'compatible'),
      model: this.config.compatibleModel,
      baseUrl: this.config.compatibleBaseUrl ?? '',
      family: {
        format: this.config.compatibleFormat,
        coordinates: this.config.compatibleCoordinates,
      },
    });
  }

  private common(apiKey: string, name: string): Omit<ProviderSettings, 'model' | 'baseUrl'> {
    return {
      name,
      apiKey,
      timeoutMs: this.config.modelTimeoutMs,
      maxAttempts: this.config.modelMaxAttempts,
      backoffMs: this.config.modelBackoffMs,
      imagesKept: this.config.modelImagesKept,
      fetch: this.fetcher,
    };
  }
}

/** The server's own provider models: one per provider whose key is configured. */
export function configuredProviderModels(factory: ProviderFactory, config: Config): Model[] {
  const models: Model[] = [];
  if (config.anthropicApiKey) {
    models.push(factory.create('anthropic', { apiKey: config.anthropicApiKey }));
  }
  if (config.compatibleBaseUrl) {
    models.push(factory.compatible());
  }
  if (config.openaiApiKey) {
    models.push(factory.create('openai', { apiKey: config.openaiApiKey }));
  }
  return models;
}
